"""The pydantic model of ``config.yaml``: every key validated before any model is called.

Unknown keys are errors (``extra="forbid"``); component names are checked against the
registries and their ``params`` against each component's own ``Params`` model, so a typo
fails at load time with the key path and the valid choices.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal, get_args

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from reviewgen.core.errors import ConfigError

DEFAULT_CONFIG = Path(__file__).parent.parent / "data" / "default_config.yaml"
ROLES = ("persona", "writer", "judge")
SECRET_OPTION = re.compile(r"(^|_)(api_?key|key|secret|password|token)$", re.IGNORECASE)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


SAMPLING = {"temperature": 0.8, "top_p": 0.95}
TUNED_SAMPLING = {"temperature": 1.2, "top_p": 1.0}
TUNED_LLAMACPP_OPTIONS = {"repeat_penalty": 1.05}


class ModelSpec(Strict):
    """One LLM: which provider, which model, and sampling settings."""

    provider: str = "llamacpp"
    model: str = "gemma3-270m-latin"
    # Unset: SAMPLING, or TUNED_SAMPLING for a model with an adapter (see _sampling_defaults).
    temperature: float = Field(SAMPLING["temperature"], ge=0.0, le=2.0)
    top_p: float = Field(SAMPLING["top_p"], gt=0.0, le=1.0)
    max_tokens: int = Field(256, gt=0, le=8192)
    base_url: str | None = None
    timeout: float = Field(120.0, gt=0)
    retries: int = Field(5, ge=1, le=20)  # attempts for transient errors (429, 5xx, timeouts)
    retry_base_delay: float = Field(1.0, ge=0)  # seconds; doubles per attempt, full jitter
    # Circuit breaker: the run stops (status in run.json, exit 3, accepted reviews kept) after
    # this many calls in a row fail after all their retries, or after the model refuses (429,
    # 5xx, timeouts) for this long without one answer.
    max_failed_calls: int = Field(5, ge=1)
    max_refused_seconds: float = Field(300.0, gt=0)
    # Tokens of prompt plus answer the model takes; unset: the model's adapter, then the
    # server (vLLM's /v1/models), then the provider's default (docs/PROVIDERS.md).
    context_window: int | None = Field(None, ge=256)
    requests_per_minute: float | None = Field(None, gt=0)
    tokens_per_minute: float | None = Field(None, gt=0)
    mode: Literal["auto", "chat", "completion"] = "auto"
    # A LoRA adapter of the model: a GGUF file or a `reviewgen tune --out` directory (providers
    # without the "adapters" capability refuse it).
    adapter: str | None = None
    options: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _sampling_defaults(cls, data: Any) -> Any:
        """A model tuned on real reviews is sampled wider than a few-shot one: at the few-shot
        settings its reviews sat where models put their mass (the zero-shot detector's tell)
        and the full repeat penalty kept customers' repeated words out of them (the
        stylometric one's); llama.cpp's min-p still trims the tail. Measured in
        docs/HISTORY.md, sampling the tuned writer."""
        if not isinstance(data, dict) or data.get("adapter") is None:
            return data
        tuned = {**TUNED_SAMPLING, **data}
        if data.get("provider", cls.model_fields["provider"].default) == "llamacpp":
            tuned["options"] = {**TUNED_LLAMACPP_OPTIONS, **(data.get("options") or {})}
        return tuned

    @field_validator("options")
    @classmethod
    def _no_secrets_in_options(cls, value: dict[str, Any]) -> dict[str, Any]:
        # The config is copied into run.json: keys belong in environment variables.
        secret = [k for k in value if SECRET_OPTION.search(k)]
        if secret:
            raise ValueError(
                f"options {secret} look like credentials; config is saved with every run, so "
                "set the provider's key variable instead (e.g. OPENAI_API_KEY, GOOGLE_API_KEY)"
            )
        return value

    @field_validator("base_url")
    @classmethod
    def _no_credentials_in_url(cls, value: str | None) -> str | None:
        if value and "@" in value.split("://", 1)[-1].split("/", 1)[0]:
            raise ValueError(
                "base_url carries credentials (user:key@host); config is saved with every "
                "run, so set the provider's key variable instead"
            )
        return value

    def label(self) -> str:
        return f"{self.provider}:{self.model}"


class Models(Strict):
    default: ModelSpec = Field(default_factory=ModelSpec)
    persona: ModelSpec | None = None
    writer: ModelSpec | None = None
    judge: ModelSpec | None = None

    def for_role(self, role: str) -> ModelSpec:
        if role not in ROLES:
            raise ConfigError(f"unknown model role {role!r}; valid choices: {', '.join(ROLES)}")
        return getattr(self, role) or self.default


class ComponentSpec(Strict):
    """A registered component by name, with its own validated parameters."""

    name: str
    params: dict[str, Any] = Field(default_factory=dict)


class Category(Strict):
    """Everything product-specific: the catalogue, the aspects and their lexicon."""

    name: str = "smartphone"
    noun: str = "phone"
    products: list[dict[str, Any]] = Field(min_length=1)
    aspects: dict[str, list[str]] = Field(min_length=1)

    @field_validator("aspects")
    @classmethod
    def _terms_present(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        empty = [aspect for aspect, terms in value.items() if not terms]
        if empty:
            raise ValueError(f"aspects without lexicon terms: {', '.join(empty)}")
        return value


class Length(Strict):
    mode: Literal["range", "from_reference"] = Field(
        "range",
        description="range: min/max words unless a reference calibrates lengths; "
        "from_reference: require that calibration",
    )
    min_words: int = Field(50, gt=0)
    max_words: int = Field(150, gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> Length:
        if self.min_words > self.max_words:
            raise ValueError("min_words is larger than max_words")
        return self


# Habits each persona drew independently until the slips were learned from real reviews.
REMOVED_STYLE_KEYS = ("casing", "punctuation", "typo_rate", "slang", "drops_apostrophes")


class StyleMix(Strict):
    """Probabilities of writing habits; each persona draws its own style from these.

    Slips (dropped apostrophes, a lower-case "i", run-ons, "!!!", ...) are drawn as a whole set
    from the reference's reviews of the same rating and length (``reference.calibrate: slips``,
    else rates shipped from the shared real reviews), so their mix matches real writers'."""

    verbosity: dict[Literal["terse", "normal", "chatty"], float] = Field(
        default_factory=lambda: {"terse": 0.4, "normal": 0.45, "chatty": 0.15}
    )
    # 0.58% of the 4,164 shared real phone reviews hold an emoji; at 0.03 the runs of
    # benchmarks/bench_realism.py had them in 3.3-5.3% of reviews, and a blind reader named
    # "an out-of-place emoji" as a tell.
    emoji: float = Field(0.006, ge=0, le=1)
    slips: float = Field(
        1.0,
        ge=0,
        le=1,
        description="share of personas whose slips are drawn from the real mix (the others "
        "write clean text)",
    )

    @model_validator(mode="before")
    @classmethod
    def _removed(cls, data: Any) -> Any:
        removed = [k for k in REMOVED_STYLE_KEYS if isinstance(data, dict) and k in data]
        if removed:
            raise ValueError(
                f"{', '.join(removed)} removed: writing slips are now drawn from real reviews "
                "(reference.calibrate: slips, or the shipped rates); persona.style.slips sets "
                "the share of personas that make them, and the typos.v1 / style.v1 augment "
                "ops keep the old habits for datasets"
            )
        return data


class PersonaConfig(Strict):
    ratings: dict[int, float] = Field(
        default_factory=lambda: {1: 0.24, 2: 0.08, 3: 0.09, 4: 0.14, 5: 0.44}
    )
    aspects_per_review: tuple[int, int] = (1, 3)
    length: Length = Field(default_factory=Length)
    age_bands: dict[str, float] = Field(min_length=1)
    occupations: list[str] = Field(min_length=1)
    tech_savviness: dict[str, float] = Field(min_length=1)
    usage: list[str] = Field(min_length=1)
    budgets: dict[str, float] = Field(min_length=1)
    aspect_weights: dict[str, float] = Field(default_factory=dict)
    style: StyleMix = Field(default_factory=StyleMix)
    enrich: bool = False
    retarget: bool = Field(
        True,
        description="keep lengths (with reference lengths) and aspects to the run's mix by "
        "quotas, re-aiming a draft that misses only those targets at what it wrote",
    )
    quota_relief_after: int = Field(
        6,
        ge=1,
        description="rejected candidates in a row after which every quota gets one more place "
        "(lower finishes the length tail sooner, at some cost to length fidelity)",
    )

    @field_validator("ratings")
    @classmethod
    def _stars(cls, value: dict[int, float]) -> dict[int, float]:
        bad = [star for star in value if star not in range(1, 6)]
        if bad:
            raise ValueError(f"ratings must be keyed by stars 1-5, got {bad}")
        if sum(value.values()) <= 0:
            raise ValueError("ratings weights must sum to more than 0")
        return value


FEW_SHOT_EXEMPLARS = 4
MAX_EXEMPLARS = 10


class WriterConfig(Strict):
    style: Literal["auto", "chat", "completion"] = "auto"
    # auto: none for a writer with a LoRA adapter (tuned on the zero-shot prompt: examples only
    # cost prompt evaluation and invite copying), FEW_SHOT_EXEMPLARS otherwise.
    exemplars: int | Literal["auto"] = "auto"
    exemplars_path: str | None = None  # few-shot examples when no reference is given
    max_revisions: int = Field(2, ge=0, le=10)

    @field_validator("exemplars", mode="before")
    @classmethod
    def _exemplar_count(cls, value: Any) -> Any:
        if value == "auto":
            return value
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_EXEMPLARS:
            raise ValueError(f"valid choices: auto, or a count from 0 to {MAX_EXEMPLARS}")
        return value


class CriticConfig(Strict):
    rules: list[ComponentSpec] = Field(default_factory=list)


class NoiseConfig(Strict):
    enabled: bool = True


class StoreConfig(Strict):
    embedder: ComponentSpec = Field(default_factory=lambda: ComponentSpec(name="hashing.v1"))
    threshold: float = Field(0.8, gt=0.0, le=1.0)
    index: Literal["auto", "flat", "ivf", "hnsw"] = "auto"
    check_reference: bool = True


CalibratePart = Literal["ratings", "lengths", "products", "aspects", "vocabulary", "slips"]


class ReferenceConfig(Strict):
    path: str | None = None
    text_col: str = "text"
    rating_col: str | None = "rating"
    product_col: str | None = "product"
    calibrate: list[CalibratePart] = Field(default_factory=lambda: list(get_args(CalibratePart)))
    holdout_fraction: float = Field(0.0, ge=0.0, lt=1.0)
    max_products: int = Field(40, gt=0)


class RayConfig(Strict):
    """Where and how wide the Ray executor runs (``run.executor: ray``)."""

    # host:port of a running cluster's head (``ray start --head``) or ray://host:port (Ray
    # Client); unset: start a Ray on this machine, on 127.0.0.1.
    address: str | None = None
    workers: int | None = Field(None, gt=0)  # unset: as many as the cluster's CPUs allow
    cpus_per_worker: int = Field(1, gt=0)  # CPUs each worker reserves: its llama.cpp threads


class RunConfig(Strict):
    count: int = Field(20, gt=0)
    seed: int = 42
    out: str = "out"
    max_candidates_per_slot: int = Field(6, gt=0)
    max_attempts: int | None = Field(None, gt=0)
    concurrency: int = Field(1, ge=1, le=256)  # slots at once, per Ray worker with ray
    max_tokens: int | None = Field(None, gt=0)
    max_cost: float | None = Field(None, gt=0)
    executor: Literal["local", "ray"] = "local"
    ray: RayConfig = Field(default_factory=RayConfig)


class Price(Strict):
    input_per_million: float = Field(0.0, ge=0)
    output_per_million: float = Field(0.0, ge=0)


class Config(Strict):
    run: RunConfig = Field(default_factory=RunConfig)
    models: Models = Field(default_factory=Models)
    category: Category
    persona: PersonaConfig
    writer: WriterConfig = Field(default_factory=WriterConfig)
    critic: CriticConfig = Field(default_factory=CriticConfig)
    noise: NoiseConfig = Field(default_factory=NoiseConfig)
    store: StoreConfig = Field(default_factory=StoreConfig)
    reference: ReferenceConfig = Field(default_factory=ReferenceConfig)
    prices: dict[str, Price] = Field(default_factory=dict)

    def exemplar_count(self) -> int:
        """Few-shot examples per draft, with ``writer.exemplars: auto`` resolved."""
        if self.writer.exemplars != "auto":
            return self.writer.exemplars
        return 0 if self.models.for_role("writer").adapter else FEW_SHOT_EXEMPLARS

    @model_validator(mode="after")
    def _aspects_known(self) -> Config:
        unknown = sorted(set(self.persona.aspect_weights) - set(self.category.aspects))
        if unknown:
            raise ValueError(
                f"persona.aspect_weights names unknown aspects {unknown}; "
                f"valid choices: {', '.join(self.category.aspects)}"
            )
        return self


def _format_location(loc: tuple[Any, ...]) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "(top level)"


def _allowed_keys(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """Field names valid at ``loc``'s parent, for the 'valid keys' hint."""
    current: Any = model
    for part in loc[:-1]:
        if isinstance(part, int) or not (
            isinstance(current, type) and issubclass(current, BaseModel)
        ):
            continue
        field = current.model_fields.get(part)
        if field is None:
            return []
        annotation = field.annotation
        candidates = [annotation, *getattr(annotation, "__args__", ())]
        current = next(
            (c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)), None
        )
        if current is None:
            return []
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def explain(error: ValidationError, source: str) -> ConfigError:
    lines = []
    for item in error.errors():
        loc = tuple(item["loc"])
        where = _format_location(loc)
        if item["type"] == "extra_forbidden":
            valid = _allowed_keys(Config, loc)
            hint = f"; valid keys: {', '.join(valid)}" if valid else ""
            lines.append(f"{where}: unknown key{hint}")
        elif item["type"] == "missing":
            lines.append(f"{where}: required key is missing")
        else:
            lines.append(f"{where}: {item['msg']} (got {item.get('input')!r})")
    return ConfigError(f"invalid config {source}:\n  " + "\n  ".join(lines))


def _set_path(data: dict[str, Any], dotted: str, value: Any) -> None:
    parts = dotted.split(".")
    node: Any = data
    for i, part in enumerate(parts[:-1]):
        key: Any = int(part) if isinstance(node, list) else part
        if isinstance(node, list):
            if not 0 <= key < len(node):
                raise ConfigError(f"--set {dotted}: index {key} out of range")
            node = node[key]
            continue
        if not isinstance(node, dict):
            raise ConfigError(f"--set {dotted}: {'.'.join(parts[: i + 1])} is not a mapping")
        child = node.get(key)
        if child is None:
            child = node[key] = {}
        node = child
    last = parts[-1]
    if isinstance(node, list):
        node[int(last)] = value
    elif isinstance(node, dict):
        node[last] = value
    else:
        raise ConfigError(f"--set {dotted}: parent is not a mapping")


def apply_overrides(data: dict[str, Any], overrides: list[str]) -> dict[str, Any]:
    """Apply ``a.b=c`` overrides; values are parsed as YAML (``0.7``, ``true``, ``[a, b]``)."""
    for override in overrides:
        if "=" not in override:
            raise ConfigError(f"--set {override!r}: expected KEY=VALUE, e.g. writer.exemplars=2")
        key, raw = override.split("=", 1)
        if not key.strip():
            raise ConfigError(f"--set {override!r}: empty key")
        try:
            value = yaml.safe_load(raw) if raw.strip() else None
        except yaml.YAMLError:
            value = raw
        _set_path(data, key.strip(), value)
    return data


def read_yaml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"config file {path} not found") from None
    except UnicodeDecodeError:
        raise ConfigError(f"config file {path} is not valid UTF-8") from None
    except OSError as exc:
        raise ConfigError(f"config file {path} cannot be read: {exc.strerror}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigError(f"config file {path} is not valid YAML{where}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"config file {path}: the top level must be a mapping of keys")
    return data


def read_config(path: str | Path | None = None, overrides: list[str] | None = None) -> Config:
    """Load, override and validate a config's schema; ``None`` means the packaged default.

    Component names and params are checked one floor up
    (``reviewgen.pipeline.components.load_config``): that needs the registries, which this
    module must not import."""
    source = Path(path) if path else DEFAULT_CONFIG
    data = apply_overrides(read_yaml(source), overrides or [])
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        raise explain(exc, str(source)) from None
    return config


def config_hash(config: Config) -> str:
    """A fingerprint of the settings that change what gets generated (not where it goes)."""
    import hashlib
    import json

    data = config.model_dump(mode="json")
    data["run"] = {k: v for k, v in data["run"].items() if k not in {"out", "count", "concurrency"}}
    blob = json.dumps(data, sort_keys=True).encode()
    return hashlib.sha256(blob).hexdigest()[:16]
