from pathlib import Path

from reviewgen.cli import main

REPO = Path(__file__).resolve().parents[1]


def test_check_config_ok_and_bad_key_without_traceback(capsys):
    assert main(["check-config", str(REPO / "config.yaml")]) == 0
    assert "OK" in capsys.readouterr().out
    code = main(["check-config", str(REPO / "config.yaml"), "--set", "writer.temprature=0.7"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("error: invalid config") and "writer.temprature" in err
    assert "Traceback" not in err


def test_components_lists_every_registry(capsys):
    assert main(["components"]) == 0
    out = capsys.readouterr().out
    for name in ("llamacpp", "google_genai", "length.v1", "llm_judge.v1", "hashing.v1", "typos.v1"):
        assert name in out


def test_graph_is_mermaid(capsys):
    assert main(["graph"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("flowchart TD") and "FAISS store" in out and "aspect_coverage.v1" in out
    assert "re-aim" in out and "only aspects / length missed" in out and "re-plan" in out
    assert "backstory" not in out and "model rules" not in out


def test_graph_draws_what_the_config_turns_on(capsys):
    judge = "critic.rules=[{name: length.v1}, {name: llm_judge.v1}]"
    args = ["graph", "--set", "persona.enrich=true", "--set", judge]
    args += ["--set", "models.judge.provider=fake", "--set", "models.judge.model=j"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "backstory" in out and "model rules, fake:j<br/>llm_judge.v1" in out
    assert "only length missed" in out
    assert main(["graph", "--set", "persona.retarget=false", "--set", "noise.enabled=false"]) == 0
    out = capsys.readouterr().out
    assert "re-aim" not in out and "quotas" not in out and "style noise" not in out


def test_generate_on_fake_provider_and_refusals(tmp_path, capsys):
    args = [
        "generate",
        "--set",
        "models.default.provider=fake",
        "--set",
        "models.default.model=fake",
        "--count",
        "3",
        "--out",
        str(tmp_path),
    ]
    assert main(args) == 0
    assert len((tmp_path / "reviews.jsonl").read_text().splitlines()) == 3
    assert main(args) == 2
    assert "--resume" in capsys.readouterr().err
    assert main(["generate", "--resume", str(tmp_path), "--count", "5"]) == 0
    assert len((tmp_path / "reviews.jsonl").read_text().splitlines()) == 5
    changed = ["generate", "--resume", str(tmp_path), "--set", "writer.exemplars=1"]
    assert main(changed) == 2
    assert "config differs" in capsys.readouterr().err
