"""Model raters: a fake model answers the blind study; its answers are kept apart."""

from __future__ import annotations

import json

from reviewgen.cli import main
from reviewgen.models.fake import FakeChatModel
from reviewgen.study.model_rater import rate_with_model
from reviewgen.study.stats import build_report
from reviewgen.study.store import Study

VERDICT = '{"label": "Synthetic", "confidence": 4, "reason": "too tidy"}'


def test_a_model_answers_what_a_person_sees(study, files, tmp_path):
    model = FakeChatModel(responses=[VERDICT], cycle=True)
    run = rate_with_model(study, model, "fake:judge")
    assert (run.rater, run.answered, run.unreadable) == ("fake:judge", 10, 0)
    rows = {row["text"]: row for row in study.rows() if row["rater"] == "fake:judge"}
    assert len(model.prompts) == 10
    for prompt in model.prompts:
        text = prompt.split("Review: ", 1)[1].split("\n\nWas it written", 1)[0]
        row = rows[text]
        assert f"Product: {row['product']}" in prompt
        assert f"Rating: {row['stars']} out of 5 stars" in prompt
        for secret in ("SYNID", "REALID", str(tmp_path), *(str(p) for p in files)):
            assert secret not in prompt
    keys = {key for rater in study.raters() for key, _ in study.pending(rater)}
    assert not any(key in prompt for key in keys for prompt in model.prompts)
    assert {(r["label"], r["confidence"], r["comment"]) for r in rows.values()} == {
        ("synthetic", 4, "too tidy")
    }


def test_model_answers_are_never_pooled_with_people(study):
    ann = study.raters()[0]
    for key, _ in study.pending(ann):
        study.answer(ann, key, "real", 3)
    rate_with_model(study, FakeChatModel(responses=[VERDICT], cycle=True), "fake:judge")
    report = build_report(study.rows(), study.meta())
    assert report["people"]["answers"] == 10
    assert report["people"]["said_synthetic"]["rate"] == 0.0
    assert report["models"]["fake:judge"]["answers"] == 10
    assert report["models"]["fake:judge"]["said_synthetic"]["rate"] == 1.0
    kinds = {r.name: r.kind for r in study.raters()}
    assert kinds == {"ann": "person", "bob": "person", "fake:judge": "model"}


def test_unreadable_answers_are_asked_again_next_time(study):
    garbled = FakeChatModel(responses=["I think it is fine."], cycle=True)
    run = rate_with_model(study, garbled, "fake:judge", max_parse_retries=1)
    assert (run.answered, run.unreadable) == (0, 10)
    assert len(garbled.prompts) == 20  # one re-ask per item
    run = rate_with_model(study, FakeChatModel(responses=[VERDICT], cycle=True), "fake:judge")
    assert (run.answered, run.unreadable) == (10, 0)
    assert [r.name for r in study.raters("model")] == ["fake:judge"]


def test_the_command_builds_the_model_through_the_provider_registry(study, capsys):
    options = json.dumps({"responses": [VERDICT], "cycle": True})
    argv = ["rate", str(study.directory), "--rater-model", "fake:judge"]
    assert main([*argv, "--set", f"models.default.options={options}"]) == 0
    assert "model rater fake:judge: 10 answered, 0 unreadable" in capsys.readouterr().out
    assert main(["rate", str(study.directory), "--report"]) == 0
    printed = capsys.readouterr().out
    assert "people: 0 answers" in printed
    assert "model fake:judge (not pooled): 10 answers, accuracy 50.0%" in printed
    assert json.loads((study.directory / "report.json").read_text())["models"]["fake:judge"]


def test_a_model_cannot_take_a_persons_name(study, capsys):
    argv = ["rate", str(study.directory), "--rater-model", "fake:x", "--add-rater", "fake:x"]
    assert main(argv) == 2
    assert "is a person in this study" in capsys.readouterr().err
    assert isinstance(Study.open(study.directory), Study)
