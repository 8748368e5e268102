"""End to end on the fake provider: accept-until-N, revision loop, rejects, resume."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from reviewgen.core.errors import ReviewgenError
from reviewgen.pipeline.components import load_config
from reviewgen.pipeline.run import generate
from tests.helpers import answer_with

FAKE = ["models.default.provider=fake", "models.default.model=fake"]


def read(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def one_completion_review(words: int, *extra: str):
    """Config for one review in completion style, judged on its length alone."""
    return load_config(
        None,
        [
            *FAKE,
            "run.count=1",
            "writer.style=completion",
            "noise.enabled=false",
            "critic.rules=[{name: length.v1}]",
            f"persona.length={{mode: range, min_words: {words}, max_words: {words}}}",
            *extra,
        ],
    )


def test_run_delivers_exactly_count_with_the_configured_rating_mix(tmp_path):
    config = load_config(None, [*FAKE, "run.count=25"])
    result = generate(config, tmp_path)
    records = read(tmp_path / "reviews.jsonl")
    assert result.status == "complete" and len(records) == 25
    assert all(r["synthetic"] is True for r in records)
    assert len({r["slot"] for r in records}) == 25
    ratings = Counter(r["rating"] for r in records)
    assert ratings == {1: 6, 2: 2, 3: 2, 4: 4, 5: 11}
    manifest = json.loads((tmp_path / "run.json").read_text())
    assert manifest["status"] == "complete" and manifest["accepted"] == 25
    assert manifest["usage"]["writer"]["calls"] == result.stats.drafts
    assert manifest["models"]["writer"] == "fake:fake"


def test_same_seed_gives_same_dataset(tmp_path):
    config = load_config(None, [*FAKE, "run.count=8"])
    generate(config, tmp_path / "a")
    generate(config, tmp_path / "b")
    strip = lambda rows: [{k: v for k, v in r.items() if k != "created_at"} for r in rows]  # noqa: E731
    assert strip(read(tmp_path / "a" / "reviews.jsonl")) == strip(
        read(tmp_path / "b" / "reviews.jsonl")
    )


def test_revision_loop_with_scripted_model(tmp_path, monkeypatch):
    from reviewgen.models.fake import FakeChatModel

    too_short = "Bad."
    good = (
        "I have had this phone for a month and the battery easily gets me through a long "
        "shift at work, no complaints so far."
    )
    scripted = FakeChatModel(responses=[too_short, good])
    monkeypatch.setattr("reviewgen.pipeline.build.build_model", lambda spec, **_: scripted)
    config = load_config(
        None,
        [
            *FAKE,
            "run.count=1",
            "noise.enabled=false",
            "critic.rules=[{name: length.v1}]",
            "persona.length={mode: range, min_words: 20, max_words: 20}",
        ],
    )
    generate(config, tmp_path)
    records = read(tmp_path / "reviews.jsonl")
    assert records[0]["text"] == good
    assert records[0]["attempts"] == 2
    assert len(scripted.prompts) == 2
    assert "Bad." in scripted.prompts[1] and "Rewrite your review" in scripted.prompts[1]
    assert "words" in scripted.prompts[1].split("Rewrite your review")[1]


def test_completion_revision_samples_the_same_document_again(tmp_path, monkeypatch):
    """A base model cannot read feedback; re-asking with the same prompt lets llama.cpp
    reuse the evaluated prompt, so a revision costs only its generation."""
    from reviewgen.models.fake import FakeChatModel

    good = (
        "I have had this phone for a month and the battery easily gets me through a long "
        "shift at work, no complaints so far."
    )
    scripted = FakeChatModel(responses=["Bad.", good])
    monkeypatch.setattr("reviewgen.pipeline.build.build_model", lambda spec, **_: scripted)
    config = one_completion_review(20)
    generate(config, tmp_path)
    assert read(tmp_path / "reviews.jsonl")[0]["text"] == good
    assert len(scripted.prompts) == 2 and scripted.prompts[0] == scripted.prompts[1]
    assert "Review:" in scripted.prompts[0]


def test_completion_candidates_of_a_slot_share_every_example_but_the_last(tmp_path, monkeypatch):
    """llama.cpp keeps the evaluated prefix, so a slot's next candidate evaluates one new
    example instead of all of them."""
    from reviewgen.models.fake import FakeChatModel

    good = (
        "I have had this phone for a month and the battery easily gets me through a long "
        "shift at work, no complaints so far."
    )
    scripted = FakeChatModel(responses=["Bad.", "Worse.", good])
    monkeypatch.setattr("reviewgen.pipeline.build.build_model", lambda spec, **_: scripted)
    config = one_completion_review(20, "writer.max_revisions=0", "writer.exemplars=3")
    generate(config, tmp_path)
    assert read(tmp_path / "reviews.jsonl")[0]["text"] == good
    # title, three examples, the header of the review to write
    prompts = [p.split("\n\n") for p in scripted.prompts]
    assert len(prompts) == 3 and all(len(p) == 5 for p in prompts)
    shared = prompts[0][:3]
    assert all(p[:3] == shared and p[4] == prompts[0][4] for p in prompts)
    assert all(p[3] not in shared for p in prompts)  # the last example is drawn anew
    assert len({p[3] for p in prompts}) > 1


def test_completion_examples_are_dropped_until_the_prompt_fits(tmp_path, monkeypatch):
    """Long reference reviews could overflow a llama.cpp context and stop the run."""
    from reviewgen.chains.writer import TOKENS_PER_WORD
    from reviewgen.models.fake import FakeChatModel

    class SmallContext(FakeChatModel):
        n_ctx: int = 150

        def get_num_tokens(self, text: str) -> int:
            return len(text.split())

    good = "The battery lasts two days and the screen is bright enough outside, happy with it."
    model = SmallContext(responses=[good])
    monkeypatch.setattr("reviewgen.pipeline.build.build_model", lambda spec, **_: model)
    config = one_completion_review(15)
    generate(config, tmp_path)
    record = read(tmp_path / "reviews.jsonl")[0]
    prompt = model.prompts[0].removeprefix("human: ")
    room = model.n_ctx - int(15 * TOKENS_PER_WORD * 1.6) - 16  # the review's own room
    assert record["length_target"] == 15 and len(prompt.split()) <= room
    examples = prompt.count("Review:") - 1  # the last one is the review to write
    assert 0 < examples < 3 and len(record["exemplar_ids"]) == examples


def test_exhausted_revisions_reject_with_reasons_then_next_candidate(tmp_path, monkeypatch):
    from reviewgen.models.fake import FakeChatModel

    good = (
        "Camera is sharp and the battery lasts all day, honestly a good phone for what I "
        "paid and it arrived quickly."
    )
    scripted = FakeChatModel(responses=["Meh.", "Meh!", "No.", good])
    monkeypatch.setattr("reviewgen.pipeline.build.build_model", lambda spec, **_: scripted)
    config = load_config(
        None,
        [
            *FAKE,
            "run.count=1",
            "noise.enabled=false",
            "writer.max_revisions=2",
            "critic.rules=[{name: length.v1}]",
            "persona.length={mode: range, min_words: 20, max_words: 20}",
        ],
    )
    generate(config, tmp_path)
    rejects = read(tmp_path / "rejects.jsonl")
    assert len(rejects) == 1 and rejects[0]["reasons"] == ["critic:length.v1"]
    assert rejects[0]["critic"][0]["feedback"]
    assert read(tmp_path / "reviews.jsonl")[0]["text"] == good


def test_a_prompt_too_long_for_the_model_rejects_its_candidate_not_the_run(tmp_path, monkeypatch):
    from reviewgen.core.errors import PromptTooLong
    from reviewgen.models.fake_reviews import compose_review

    calls = []

    def respond(prompt: str) -> str:
        calls.append(prompt)
        if len(calls) == 2:  # a revision's prompt: the draft and feedback made it too long
            raise PromptTooLong("prompt of 2111 tokens does not fit n_ctx 2048")
        return "Meh." if len(calls) == 1 else compose_review(prompt)

    answer_with(monkeypatch, respond)
    config = load_config(None, [*FAKE, "run.count=2", "critic.rules=[{name: length.v1}]"])
    result = generate(config, tmp_path)
    assert result.status == "complete" and len(read(tmp_path / "reviews.jsonl")) == 2
    (reject,) = read(tmp_path / "rejects.jsonl")
    assert reject["reasons"] == ["prompt_too_long"] and reject["attempt"] == 2
    assert "does not fit n_ctx 2048" in reject["critic"][0]["feedback"]


@pytest.mark.parametrize("revisions", [0, 2])
def test_duplicates_are_rejected_before_acceptance(tmp_path, monkeypatch, revisions):
    # With revisions left, the duplicate draft is revised (its candidate lives on); the last
    # draft allowed is rejected.
    from reviewgen.models.fake import FakeChatModel

    same = (
        "Battery lasts all day and the camera is fine for the price, happy with it overall "
        "and would buy it again for sure."
    )
    other = (
        "Screen is bright, it runs my apps without lag and the seller shipped it fast, "
        "no problems after two weeks of use."
    )
    scripted = FakeChatModel(responses=[same, same, other])
    monkeypatch.setattr("reviewgen.pipeline.build.build_model", lambda spec, **_: scripted)
    config = load_config(
        None,
        [
            *FAKE,
            "run.count=2",
            "noise.enabled=false",
            "critic.rules=[]",
            "persona.ratings={5: 1.0}",
            f"writer.max_revisions={revisions}",
        ],
    )
    generate(config, tmp_path)
    texts = [r["text"] for r in read(tmp_path / "reviews.jsonl")]
    assert sorted(texts) == sorted([same, other])
    revised = json.loads((tmp_path / "run.json").read_text())["revised_at_acceptance"]
    if revisions:
        assert revised == {"near_duplicate": 1} and not (tmp_path / "rejects.jsonl").exists()
        assert "too close to a review already written" in scripted.prompts[-1]
    else:
        rejects = read(tmp_path / "rejects.jsonl")
        assert rejects[0]["reasons"] == ["near_duplicate"] and rejects[0]["similarity"] >= 0.999
        assert revised == {}


def test_copy_of_an_exemplar_is_revised_then_rejected(tmp_path, monkeypatch):
    from reviewgen.chains.exemplars import DEFAULT_EXEMPLARS
    from reviewgen.models.fake import FakeChatModel

    copied = json.loads(DEFAULT_EXEMPLARS.read_text().splitlines()[0])["text"]
    fresh = "Quick delivery and the phone works with my carrier, battery is fine so far honestly."
    scripted = FakeChatModel(responses=[copied, copied, fresh])
    monkeypatch.setattr("reviewgen.pipeline.build.build_model", lambda spec, **_: scripted)
    config = load_config(
        None,
        [*FAKE, "run.count=1", "noise.enabled=false", "critic.rules=[]", "writer.max_revisions=1"],
    )
    generate(config, tmp_path)
    assert "write your own words" in scripted.prompts[1]  # the first copy was sent back
    assert read(tmp_path / "rejects.jsonl")[0]["reasons"] == ["copies_reference"]  # the 2nd
    assert read(tmp_path / "reviews.jsonl")[0]["text"] == fresh
    manifest = json.loads((tmp_path / "run.json").read_text())
    assert manifest["revised_at_acceptance"] == {"copies_reference": 1}


def test_existing_run_is_not_overwritten_silently(tmp_path):
    config = load_config(None, [*FAKE, "run.count=2"])
    generate(config, tmp_path)
    with pytest.raises(ReviewgenError, match="--resume"):
        generate(config, tmp_path)
    assert generate(config, tmp_path, overwrite=True).accepted == 2


def test_resume_completes_a_partial_run_without_duplicates(tmp_path):
    config = load_config(None, [*FAKE, "run.count=12"])
    generate(config, tmp_path / "full")
    full = read(tmp_path / "full" / "reviews.jsonl")
    partial = tmp_path / "partial"
    partial.mkdir()
    lines = (tmp_path / "full" / "reviews.jsonl").read_text().splitlines(keepends=True)
    (partial / "reviews.jsonl").write_text("".join(lines[:5]) + lines[5][:30])  # torn line
    (partial / "run.json").write_text((tmp_path / "full" / "run.json").read_text())
    result = generate(config, partial, resume=True)
    resumed = read(partial / "reviews.jsonl")
    assert result.notes and "torn" in result.notes[0]
    assert len(resumed) == 12 and len({r["slot"] for r in resumed}) == 12
    key = lambda r: (r["slot"], r["text"])  # noqa: E731
    assert sorted(map(key, resumed)) == sorted(map(key, full))


def test_budget_stops_cleanly_with_partial_results(tmp_path):
    config = load_config(None, [*FAKE, "run.count=50", "run.max_attempts=5"])
    result = generate(config, tmp_path)
    assert result.status.startswith("budget: max_attempts")
    assert result.accepted == len(read(tmp_path / "reviews.jsonl")) < 50
    assert json.loads((tmp_path / "run.json").read_text())["status"] == result.status


def test_another_category_runs_from_config_alone(tmp_path):
    from reviewgen.pipeline.components import load_config as load

    repo = __import__("pathlib").Path(__file__).resolve().parents[1]
    config = load(
        repo / "examples" / "headphones.yaml",
        [*FAKE, "run.count=6", f"writer.exemplars_path={repo}/examples/headphones_exemplars.jsonl"],
    )
    generate(config, tmp_path)
    records = read(tmp_path / "reviews.jsonl")
    assert len(records) == 6
    assert {r["product"]["brand"] for r in records} <= {
        "Sony",
        "Apple",
        "Bose",
        "Samsung",
        "Anker",
        "JBL",
        "Sennheiser",
        "Beats",
    }
    assert all(set(r["aspects"]) <= set(config.category.aspects) for r in records)
    assert all(e.startswith("hp-") for r in records for e in r["exemplar_ids"])
