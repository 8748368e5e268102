"""Turn config component specs into objects, validating names and params at load time."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

from reviewgen.errors import ConfigError
from reviewgen.registry import Registry, critic_rules, embedders, providers

if TYPE_CHECKING:
    from reviewgen.config import ComponentSpec, Config
    from reviewgen.critic_rules.base import CriticRule


def load_builtins() -> None:
    """Import the modules whose import registers the built-in components."""
    import reviewgen.critic_rules
    import reviewgen.providers
    import reviewgen.vectorstore.embeddings  # noqa: F401


def validate_params(component: Any, params: dict[str, Any], where: str) -> BaseModel:
    model: type[BaseModel] = component.Params
    try:
        return model.model_validate(params)
    except ValidationError as exc:
        problems = []
        for item in exc.errors():
            key = ".".join(str(p) for p in item["loc"]) or "(params)"
            if item["type"] == "extra_forbidden":
                problems.append(
                    f"{where}.params.{key}: unknown key; valid keys: "
                    f"{', '.join(model.model_fields) or '(none)'}"
                )
            else:
                problems.append(f"{where}.params.{key}: {item['msg']}")
        raise ConfigError("\n  ".join(problems)) from None


def _resolve(registry: Registry[Any], spec: ComponentSpec, where: str) -> tuple[Any, BaseModel]:
    component = registry.get(spec.name, where=f"{where}.name")
    return component, validate_params(component, spec.params, where)


def build_rules(specs: list[ComponentSpec]) -> list[CriticRule]:
    load_builtins()
    rules = []
    for i, spec in enumerate(specs):
        cls, params = _resolve(critic_rules, spec, f"critic.rules[{i}]")
        rules.append(cls(params, name=spec.name))
    return rules


def validate_components(config: Config) -> None:
    load_builtins()
    for i, spec in enumerate(config.critic.rules):
        _resolve(critic_rules, spec, f"critic.rules[{i}]")
    _resolve(embedders, config.store.embedder, "store.embedder")
    for role in ("default", "persona", "writer", "judge"):
        spec = getattr(config.models, role)
        if spec is not None:
            providers.get(spec.provider, where=f"models.{role}.provider")
