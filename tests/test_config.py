from pathlib import Path

import pytest
import yaml

from reviewgen.core.config import DEFAULT_CONFIG, apply_overrides, config_hash
from reviewgen.core.errors import ConfigError
from reviewgen.pipeline.components import load_config

REPO = Path(__file__).resolve().parents[1]


def write(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def default_data() -> dict:
    return yaml.safe_load(DEFAULT_CONFIG.read_text())


def test_packaged_default_is_the_repo_config():
    assert DEFAULT_CONFIG.read_text() == (REPO / "config.yaml").read_text()


def test_default_config_loads_with_the_embedded_model():
    config = load_config(REPO / "config.yaml")
    assert config.models.for_role("writer").provider == "llamacpp"
    assert len(config.category.products) >= 12
    assert len({p["brand"] for p in config.category.products}) >= 6


def test_unknown_key_names_path_and_valid_keys(tmp_path):
    data = default_data()
    data["writer"]["temprature"] = 0.7
    with pytest.raises(ConfigError) as error:
        load_config(write(tmp_path, data))
    message = str(error.value)
    assert "writer.temprature: unknown key" in message
    assert "max_revisions" in message and "exemplars" in message


def test_wrong_type_names_path(tmp_path):
    data = default_data()
    data["run"]["count"] = "many"
    with pytest.raises(ConfigError, match=r"run\.count: .*integer"):
        load_config(write(tmp_path, data))


def test_unknown_provider_lists_valid_ones(tmp_path):
    data = default_data()
    data["models"]["default"]["provider"] = "gpt"
    with pytest.raises(ConfigError) as error:
        load_config(write(tmp_path, data))
    message = str(error.value)
    assert "models.default.provider" in message
    for name in ("fake", "google_genai", "llamacpp", "ollama", "openai"):
        assert name in message


def test_unknown_critic_rule_lists_valid_ones(tmp_path):
    data = default_data()
    data["critic"]["rules"].append({"name": "lenght.v1"})
    at = len(data["critic"]["rules"]) - 1
    with pytest.raises(
        ConfigError,
        match=rf"critic\.rules\[{at}\]\.name: unknown critic rule 'lenght.v1'.*length\.v1",
    ):
        load_config(write(tmp_path, data))


def test_bad_rule_param_names_key(tmp_path):
    data = default_data()
    data["critic"]["rules"][0]["params"] = {"min_ratoi": 0.2}
    with pytest.raises(ConfigError, match=r"critic\.rules\[0\]\.params\.min_ratoi: unknown key"):
        load_config(write(tmp_path, data))


def test_unknown_aspect_weight(tmp_path):
    data = default_data()
    data["persona"]["aspect_weights"]["wifi"] = 1.0
    with pytest.raises(ConfigError, match="unknown aspects \\['wifi'\\]"):
        load_config(write(tmp_path, data))


def test_invalid_yaml_and_missing_file(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("run: [unclosed\n")
    with pytest.raises(ConfigError, match="not valid YAML at line"):
        load_config(bad)
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "missing.yaml")


def test_overrides_parse_yaml_values():
    config = load_config(
        None,
        [
            "writer.max_revisions=4",
            "noise.enabled=false",
            "models.writer.provider=fake",
            "critic.rules.0.params.min_ratio=0.3",
        ],
    )
    assert config.writer.max_revisions == 4
    assert config.noise.enabled is False
    assert config.models.for_role("writer").provider == "fake"
    assert config.models.for_role("judge").provider == "llamacpp"
    assert config.critic.rules[0].params["min_ratio"] == 0.3


def test_override_errors_are_clear():
    with pytest.raises(ConfigError, match="expected KEY=VALUE"):
        apply_overrides({}, ["writer.temperature"])
    with pytest.raises(ConfigError, match=r"writer\.temperature: unknown key"):
        load_config(None, ["writer.temperature=0.7"])


def test_config_hash_ignores_output_location_but_not_settings():
    a = load_config(None)
    b = load_config(None, ["run.out=elsewhere", "run.count=99"])
    c = load_config(None, ["writer.exemplars=1"])
    assert config_hash(a) == config_hash(b) != config_hash(c)


def test_auto_exemplars_are_none_with_an_adapter_and_four_without(tmp_path):
    data = default_data()
    assert load_config(write(tmp_path, data)).exemplar_count() == 4
    data["models"]["writer"] = {"adapter": "adapter/"}
    assert load_config(write(tmp_path, data)).exemplar_count() == 0  # tuned on zero-shot prompts
    data["writer"]["exemplars"] = 2
    assert load_config(write(tmp_path, data)).exemplar_count() == 2  # a count given is kept


@pytest.mark.parametrize("value", ["many", 11, -1, 2.5, True])
def test_a_bad_exemplar_count_names_the_valid_choices(tmp_path, value):
    data = default_data()
    data["writer"]["exemplars"] = value
    with pytest.raises(ConfigError) as error:
        load_config(write(tmp_path, data))
    assert "writer.exemplars" in str(error.value)
    assert "valid choices: auto, or a count from 0 to 10" in str(error.value)


def test_a_tuned_writer_samples_wider_unless_told_otherwise(tmp_path):
    data = default_data()
    writer = load_config(write(tmp_path, data)).models.for_role("writer")
    assert (writer.temperature, writer.top_p) == (0.8, 0.95)
    assert "repeat_penalty" not in writer.options
    data["models"]["writer"] = {"adapter": "adapter/"}
    writer = load_config(write(tmp_path, data)).models.for_role("writer")
    assert (writer.temperature, writer.top_p) == (1.2, 1.0)
    assert writer.options == {"repeat_penalty": 1.05}
    data["models"]["writer"] |= {"temperature": 0.6, "options": {"repeat_penalty": 1.1}}
    writer = load_config(write(tmp_path, data)).models.for_role("writer")
    assert (writer.temperature, writer.top_p) == (0.6, 1.0)  # values given are kept
    assert writer.options == {"repeat_penalty": 1.1}
