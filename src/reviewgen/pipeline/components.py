"""Turn a config's component specs into objects, names and params checked at load time."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from reviewgen.core.config import ComponentSpec, Config, read_config
from reviewgen.core.registry import critic_rules, embedders, providers

if TYPE_CHECKING:
    from reviewgen.critic_rules.base import CriticRule


def build_rules(specs: list[ComponentSpec]) -> list[CriticRule]:
    rules = []
    for i, spec in enumerate(specs):
        where = f"critic.rules[{i}]"
        cls = critic_rules.get(spec.name, where=f"{where}.name")
        params = critic_rules.params(
            spec.name, spec.params, name_at=f"{where}.name", params_at=f"{where}.params"
        )
        rules.append(cls(params, name=cls.registered_name))
    return rules


def validate_components(config: Config) -> None:
    for i, spec in enumerate(config.critic.rules):
        where = f"critic.rules[{i}]"
        critic_rules.params(
            spec.name, spec.params, name_at=f"{where}.name", params_at=f"{where}.params"
        )
    embedder = config.store.embedder
    embedders.params(
        embedder.name,
        embedder.params,
        name_at="store.embedder.name",
        params_at="store.embedder.params",
    )
    for role in ("default", "persona", "writer", "judge"):
        spec = getattr(config.models, role)
        if spec is not None:
            providers.params(
                spec.provider,
                spec.options,
                name_at=f"models.{role}.provider",
                params_at=f"models.{role}.options",
            )


def load_config(path: str | Path | None = None, overrides: list[str] | None = None) -> Config:
    """``read_config`` plus every component name and ``params`` checked against the registries,
    so a typo fails at load with the key path and the valid choices."""
    config = read_config(path, overrides)
    validate_components(config)
    return config
