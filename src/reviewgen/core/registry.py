"""Named, versioned components (spaCy's catalogue pattern), one contract for every kind.

A config refers to components by registered name (``length.v1``), never by import path, so a
YAML file cannot make the program import arbitrary code. Every component, of every kind, is a
class that declares itself the same way:

- ``registered_name``: its versioned name, set by ``Registry.register``;
- ``Params``: a pydantic model of its parameters, validated before anything runs;
- ``capabilities``: what it can do, for the assembly to ask instead of testing its class.

Built-ins are declared as entry points in ``pyproject.toml``, exactly like third-party plugins
(simonw/llm's default plugins), so a component is found by the same path whoever wrote it, and
each entry point is imported only when its name is asked for.
"""

from __future__ import annotations

import importlib.metadata
import warnings
from collections.abc import Callable
from typing import Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from reviewgen.core.errors import ConfigError

T = TypeVar("T")

# Entry-point group of each kind: what a plugin package declares (CONTRIBUTING.md).
GROUPS = {
    "critic rule": "reviewgen.critic_rules",
    "provider": "reviewgen.providers",
    "embedder": "reviewgen.embedders",
    "augmentation": "reviewgen.augmenters",
}


class NoParams(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Component:
    """Optional base class spelling out the contract; any class with these attributes works."""

    registered_name: ClassVar[str] = ""
    Params: ClassVar[type[BaseModel]] = NoParams
    capabilities: ClassVar[frozenset[str]] = frozenset()


def _version(name: str) -> int:
    tail = name.rsplit(".v", 1)[-1]
    return int(tail) if tail.isdigit() else 0


class Registry(Generic[T]):
    def __init__(self, kind: str, group: str | None = None) -> None:
        self.kind = kind
        self.group = group
        self._items: dict[str, T] = {}

    def register(self, name: str) -> Callable[[T], T]:
        """Declare a component under ``name``; its entry point (if any) must use the same."""

        def decorator(obj: T) -> T:
            if name in self._items and self._items[name] is not obj:
                raise ValueError(f"{self.kind} {name!r} is already registered")
            if isinstance(obj, type):  # a component class learns its own name
                obj.registered_name = name  # type: ignore[attr-defined]
            self._items[name] = obj
            return obj

        return decorator

    def _entry_points(self) -> dict[str, importlib.metadata.EntryPoint]:
        if not self.group:
            return {}
        return {ep.name: ep for ep in importlib.metadata.entry_points(group=self.group)}

    def _load(self, name: str) -> None:
        entry_point = self._entry_points().get(name)
        if entry_point is None or name in self._items:
            return
        try:
            obj: Any = entry_point.load()
        except Exception as exc:  # a third-party import error must not break the tool
            warnings.warn(
                f"plugin {entry_point.name!r} ({entry_point.value}) failed to load: {exc}",
                stacklevel=3,
            )
            return
        self._items.setdefault(name, obj)

    def resolve(self, name: str, *, where: str = "") -> str:
        """A full name; a bare ``typos`` means the newest registered ``typos.vN``."""
        if name in self._items or name in self._entry_points():
            return name
        names = self.names()
        versions = [n for n in names if n.rsplit(".v", 1)[0] == name]
        if versions:
            return max(versions, key=_version)
        location = f"{where}: " if where else ""
        raise ConfigError(
            f"{location}unknown {self.kind} {name!r}; valid choices: {', '.join(names)}"
        )

    def get(self, name: str, *, where: str = "") -> T:
        full = self.resolve(name, where=where)
        self._load(full)
        if full not in self._items:
            raise ConfigError(f"{where + ': ' if where else ''}{self.kind} {full!r} failed to load")
        return self._items[full]

    def names(self) -> list[str]:
        """Every name that loads, built-in or plugin (a broken plugin is warned about)."""
        return list(self.items())

    def items(self) -> dict[str, T]:
        for name in self._entry_points():
            self._load(name)
        return dict(sorted(self._items.items()))

    def params(
        self, name: str, values: dict[str, Any] | None, *, name_at: str, params_at: str
    ) -> BaseModel:
        """``values`` validated against the component's ``Params``; a problem names its key
        (``name_at`` is where the config names the component, ``params_at`` its params)."""
        return validate_params(self.get(name, where=name_at), values or {}, params_at)


def validate_params(component: Any, values: dict[str, Any], where: str) -> BaseModel:
    model: type[BaseModel] = getattr(component, "Params", NoParams)
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        problems = []
        for item in exc.errors():
            key = ".".join(str(p) for p in item["loc"]) or "(params)"
            if item["type"] == "extra_forbidden":
                problems.append(
                    f"{where}.{key}: unknown key; valid keys: "
                    f"{', '.join(model.model_fields) or '(none)'}"
                )
            else:
                problems.append(f"{where}.{key}: {item['msg']}")
        raise ConfigError("\n  ".join(problems)) from None


critic_rules: Registry[Any] = Registry("critic rule", GROUPS["critic rule"])
providers: Registry[Any] = Registry("provider", GROUPS["provider"])
embedders: Registry[Any] = Registry("embedder", GROUPS["embedder"])
augmenters: Registry[Any] = Registry("augmentation", GROUPS["augmentation"])
