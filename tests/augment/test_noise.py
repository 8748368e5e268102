"""Writing noise: exact outputs for fixed seeds, and properties on arbitrary text."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewgen.augment.base import protected_occurrences
from reviewgen.augment.noise import KEYBOARD_NEIGHBOURS, Style, Typos, add_emoji, apply_style_noise
from reviewgen.core.schemas import WritingStyle

TEXT = (
    "I'm really happy with the battery. The camera, though, isn't great. "
    "I don't know why you would pay this price."
)
PROTECTED = {"battery", "camera", "price"}


def test_typos_exact_for_a_seed():
    op = Typos(Typos.Params(rate=0.3, protected=sorted(PROTECTED)))
    result = op.apply(TEXT, random.Random(7))
    assert result.text == (
        "I'm really hsppy with te battery. Teh camera, tohugh, isn't great. "
        "I don't know why yuo woud pay this price."
    )
    assert result.changes == {"rate": 0.3, "typo_keyboard": 1, "typo_drop": 2, "typo_swap": 3}


def test_typos_rate_range_is_drawn_per_record_and_apostrophes_drop():
    op = Typos(Typos.Params(rate=(0.1, 0.4), kinds=["swap"], apostrophe_rate=1.0))
    result = op.apply(TEXT, random.Random(7))
    assert result.text == (
        "Im realyl hpapy wtih teh battery. The camera, thuogh, isnt graet. "
        "I dont knwo why you wuold pay tihs price."
    )
    assert result.changes == {"rate": 0.1971, "typo_swap": 9, "apostrophes_dropped": 3}


def test_zero_rate_changes_nothing():
    assert Typos(Typos.Params(rate=0.0)).apply(TEXT, random.Random(1)).text == TEXT


def test_keyboard_neighbours_are_adjacent_keys():
    assert set(KEYBOARD_NEIGHBOURS["g"]) == set("fhtyvb")
    assert set(KEYBOARD_NEIGHBOURS["q"]) == set("wa")


def test_style_lowercase_minimal_apostrophes():
    style = WritingStyle(casing="lowercase", punctuation="minimal", drops_apostrophes=True)
    text, changes = apply_style_noise(TEXT, style, random.Random(11), PROTECTED)
    assert text == (
        "im really happy with the battery the camera though isnt great "
        "i don't know why you would pay this price"
    )
    assert changes == {"apostrophes_dropped": 2, "punctuation_minimal": 5, "lowercased": 3}


def test_style_shouty_excited_emoji():
    style = WritingStyle(casing="shouty", punctuation="excited", emoji=True)
    text, changes = apply_style_noise(TEXT, style, random.Random(11), PROTECTED)
    assert text == (
        "I'm really HAPPY with the battery!! 🙌 The camera, though, isn't GREAT! "
        "I don't know why you would pay this price!!"
    )
    assert changes == {"punctuation_excited": 3, "shouted": 2, "emoji": 1}


def test_style_ellipses_slang():
    style = WritingStyle(punctuation="ellipses", slang=True)
    text, changes = apply_style_noise(TEXT, style, random.Random(11), PROTECTED)
    assert text == (
        "I'm rly happy with the battery. The camera, tho, isn't great. "
        "I don't know why u would pay this price..."
    )
    assert changes == {"slang": 3, "punctuation_ellipses": 1}


def test_protected_terms_keep_case_and_spelling_under_heavy_noise():
    style = WritingStyle(casing="lowercase", typo_rate=0.2, punctuation="minimal")
    text = "The Pixel 9a Battery life is great, the Camera too."
    for seed in range(30):
        noisy, _ = apply_style_noise(
            text, style, random.Random(seed), {"pixel 9a", "battery", "camera"}
        )
        assert "Pixel 9a" in noisy and "Battery" in noisy and "Camera" in noisy


def test_words_starting_with_a_protected_term_are_protected():
    # The aspect lexicon matches at word starts ("freez" finds "freezes").
    op = Typos(Typos.Params(rate=1.0, protected=["freez"]))
    assert "freezes" in op.apply("it freezes often", random.Random(3)).text


def test_short_terms_protect_whole_words_only():
    op = Typos(Typos.Params(rate=1.0, protected=["g"]))
    result = op.apply("the Moto G is great", random.Random(0))
    assert " G " in result.text and "great" not in result.text


def test_placeholders_urls_and_emails_are_never_edited():
    text = "Mail [EMAIL] or see www.example.com/page and bob@example.com today please"
    style = WritingStyle(casing="lowercase", typo_rate=0.2, punctuation="minimal")
    for seed in range(20):
        noisy, _ = apply_style_noise(text, style, random.Random(seed), set())
        for token in ("[EMAIL]", "www.example.com/page", "bob@example.com"):
            assert token in noisy


def test_style_op_matches_apply_style_noise():
    op = Style(Style.Params(casing="lowercase", protected=["battery"]))
    expected, changes = apply_style_noise(
        TEXT, WritingStyle(casing="lowercase"), random.Random(2), {"battery"}
    )
    result = op.apply(TEXT, random.Random(2))
    assert (result.text, result.changes) == (expected, changes)


def test_emoji_follow_sentiment():
    text, count = add_emoji("I hate this awful terrible phone.", random.Random(0))
    assert count == 1 and any(e in text for e in "😡👎😤🙄😞")


# --- properties ---------------------------------------------------------------------------

WORDS = [
    "battery",
    "Camera",
    "great",
    "don't",
    "I'm",
    "price",
    "really",
    "phone",
    "the",
    "5G",
    "SM-S911U",
    "[EMAIL]",
    "is",
    "you",
    "because",
    "amazing",
    "terrible",
    "though",
]
review_text = (
    st.lists(
        st.one_of(st.sampled_from(WORDS), st.text(min_size=1, max_size=8)), min_size=1, max_size=30
    )
    .map(lambda words: " ".join(words))
    .filter(lambda t: t.strip())
)
styles = st.builds(
    WritingStyle,
    casing=st.sampled_from(["normal", "lowercase", "shouty"]),
    punctuation=st.sampled_from(["normal", "minimal", "excited", "ellipses"]),
    typo_rate=st.floats(0, 0.2),
    emoji=st.booleans(),
    slang=st.booleans(),
    drops_apostrophes=st.booleans(),
)
PROTECT = {"battery", "camera", "price", "5g"}


@settings(max_examples=60, derandomize=True, deadline=None)
@given(text=review_text, style=styles, seed=st.integers(0, 2**32))
def test_style_noise_properties(text, style, seed):
    noisy, changes = apply_style_noise(text, style, random.Random(seed), PROTECT)
    noisy.encode("utf-8")
    assert noisy.strip()
    before, after = protected_occurrences(text, PROTECT), protected_occurrences(noisy, PROTECT)
    assert all(after[t] >= n for t, n in before.items())
    assert all(isinstance(v, int) and v > 0 for v in changes.values())
    assert apply_style_noise(text, style, random.Random(seed), PROTECT) == (noisy, changes)


@settings(max_examples=60, derandomize=True, deadline=None)
@given(text=review_text, rate=st.floats(0, 1), seed=st.integers(0, 2**32))
def test_typos_properties(text, rate, seed):
    op = Typos(Typos.Params(rate=rate, protected=sorted(PROTECT), apostrophe_rate=0.5))
    result = op.apply(text, random.Random(seed))
    result.text.encode("utf-8")
    assert result.text.strip()
    before, after = (
        protected_occurrences(text, PROTECT),
        protected_occurrences(result.text, PROTECT),
    )
    assert all(after[t] >= n for t, n in before.items())


# --- the fast protected-span matcher gives the shared regex's spans ---------------------------

SPAN_TERMS = {"battery", "battery life", "app", "apps", "g", "5g", "$", "wi-fi", "freez", "a+"}
SPAN_PIECES = [
    "battery",
    "Battery Life",
    "batterylife",
    "battery lifespan",
    "app",
    "apps",
    "appstore",
    "5G",
    "G",
    "g5",
    "$199",
    "$",
    "Wi-Fi",
    "wi-fi6",
    "freezes",
    "antifreeze",
    "A+",
    "a+b",
    "x",
]


@settings(max_examples=200, derandomize=True, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(SPAN_PIECES),
            st.sampled_from([" ", ",", ".", "-", "'", "9"]),
            st.text(min_size=1, max_size=4),
        ),
        max_size=16,
    )
)
def test_fast_protected_spans_match_the_shared_pattern(pieces):
    from reviewgen.augment.base import protected_spans
    from reviewgen.augment.noise import _protection

    text = "".join(pieces)
    spans = _protection(SPAN_TERMS).spans(text)
    if spans is not None:  # None: non-ASCII text or URL-like tokens, left to the shared regex
        assert spans == protected_spans(text, SPAN_TERMS)
