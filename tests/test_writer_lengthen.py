"""A completion draft that stops far short of a long target is continued on the same line."""

from __future__ import annotations

import json

from reviewgen.chains.writer import OPENERS
from reviewgen.pipeline.components import load_config
from reviewgen.pipeline.run import generate

FIRST = "Bought it for my wife and she likes the screen a lot."
MORE = " " + " ".join(["the battery holds up through a long day of calls and maps"] * 4) + "."


def _run(tmp_path, monkeypatch, words: int, responses: list[str]):
    from reviewgen.models.fake import FakeChatModel

    scripted = FakeChatModel(responses=responses)
    monkeypatch.setattr("reviewgen.pipeline.build.build_model", lambda spec, **_: scripted)
    config = load_config(
        None,
        [
            "models.default.provider=fake",
            "run.count=1",
            "writer.style=completion",
            "noise.enabled=false",
            "critic.rules=[{name: length.v1}]",
            f"persona.length={{mode: range, min_words: {words}, max_words: {words}}}",
        ],
    )
    generate(config, tmp_path)
    record = json.loads((tmp_path / "reviews.jsonl").read_text().splitlines()[0])
    return record, scripted.prompts


def test_a_short_draft_for_a_long_target_is_continued_from_where_it_stopped(tmp_path, monkeypatch):
    record, prompts = _run(tmp_path, monkeypatch, 60, [FIRST, MORE])
    assert len(prompts) == 2 and record["attempts"] == 1
    opener = prompts[1].rsplit(FIRST, 1)[1].strip()
    assert prompts[1].startswith(prompts[0]) and opener in OPENERS  # the same line, a new sentence
    assert record["text"] == f"{FIRST} {opener} {MORE.strip()}"


def test_short_targets_are_sampled_again_instead(tmp_path, monkeypatch):
    good = "Solid phone for the money, the screen is bright and calls sound clear to me."
    record, prompts = _run(tmp_path, monkeypatch, 20, ["Fine.", good])
    assert prompts[0] == prompts[1] and record["text"] == good


def test_a_long_target_is_continued_until_it_is_near(tmp_path, monkeypatch):
    piece = "The battery holds up through a long day of calls and maps and music."  # 14 words
    record, prompts = _run(tmp_path, monkeypatch, 100, [FIRST] + [piece] * 8)
    # 12 words, then 15 a piece with its opener, until within 40% of the target: 4 more calls
    # (two were the limit before: 42 words).
    assert len(prompts) == 5 and record["attempts"] == 1
    assert len(record["text"].split()) == 72


def test_a_continuation_that_starts_with_punctuation_joins_without_a_space(tmp_path, monkeypatch):
    record, prompts = _run(tmp_path, monkeypatch, 60, [FIRST, "," + MORE])
    opener = prompts[1].rsplit(FIRST, 1)[1].strip()
    assert record["text"] == f"{FIRST} {opener}, {MORE.strip()}"


def test_a_draft_cut_inside_a_word_is_continued_without_a_space(tmp_path, monkeypatch):
    cut = FIRST + " It"  # the token cap stopped the first pass here
    record, prompts = _run(tmp_path, monkeypatch, 60, [cut, "'s" + MORE])
    assert prompts[1].endswith(cut)  # no opener after a cut sentence
    assert record["text"] == f"{cut}'s {MORE.strip()}"
