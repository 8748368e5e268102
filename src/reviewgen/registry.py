"""Named, versioned components (spaCy's catalogue pattern).

A config refers to components by registered name (``length.v1``), never by import path,
so a YAML file cannot make the program import arbitrary code. Third-party packages add
components through entry points, loaded only when a name is not built in (as simonw/llm does).
"""

from __future__ import annotations

import importlib.metadata
import warnings
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from reviewgen.errors import ConfigError

T = TypeVar("T")


class Registry(Generic[T]):
    def __init__(self, kind: str, entry_point_group: str | None = None) -> None:
        self.kind = kind
        self.entry_point_group = entry_point_group
        self._items: dict[str, T] = {}
        self._plugins_loaded = False

    def register(self, name: str) -> Callable[[T], T]:
        def decorator(obj: T) -> T:
            if name in self._items and self._items[name] is not obj:
                raise ValueError(f"{self.kind} {name!r} is already registered")
            self._items[name] = obj
            return obj

        return decorator

    def get(self, name: str, *, where: str = "") -> T:
        if name not in self._items:
            self.load_plugins()
        if name not in self._items:
            location = f"{where}: " if where else ""
            raise ConfigError(
                f"{location}unknown {self.kind} {name!r}; valid choices: {', '.join(self.names())}"
            )
        return self._items[name]

    def names(self) -> list[str]:
        self.load_plugins()
        return sorted(self._items)

    def items(self) -> dict[str, T]:
        self.load_plugins()
        return dict(sorted(self._items.items()))

    def load_plugins(self) -> None:
        """Import entry points of this group once; a broken plugin is reported, not fatal."""
        if self._plugins_loaded or not self.entry_point_group:
            return
        self._plugins_loaded = True
        for entry_point in importlib.metadata.entry_points(group=self.entry_point_group):
            if entry_point.name in self._items:
                continue
            try:
                obj: Any = entry_point.load()
            except Exception as exc:  # a third-party import error must not break the tool
                warnings.warn(
                    f"plugin {entry_point.name!r} ({entry_point.value}) failed to load: {exc}",
                    stacklevel=2,
                )
                continue
            self._items.setdefault(entry_point.name, obj)


critic_rules: Registry[Any] = Registry("critic rule", "reviewgen.critic_rules")
providers: Registry[Any] = Registry("provider", "reviewgen.providers")
embedders: Registry[Any] = Registry("embedder", "reviewgen.embedders")
augmenters: Registry[Any] = Registry("augmentation", "reviewgen.augmenters")
