"""``reviewgen components``: what is registered (built in and from plugins)."""

from __future__ import annotations

import argparse

from reviewgen.core.registry import augmenters, critic_rules, embedders, providers


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("components", help="list registered components")
    parser.set_defaults(func=run)


def _summary(obj: object) -> str:
    doc = (getattr(obj, "__doc__", None) or "").strip().splitlines()
    return doc[0] if doc else ""


def run(args: argparse.Namespace) -> int:
    for title, registry in (
        ("providers", providers),
        ("critic rules", critic_rules),
        ("embedders", embedders),
        ("augmentations", augmenters),
    ):
        print(f"{title}:")
        for name, obj in registry.items().items():
            params = getattr(obj, "Params", None)
            keys = ", ".join(params.model_fields) if params is not None else ""
            able = ", ".join(sorted(getattr(obj, "capabilities", ())))
            print(
                f"  {name:<26} {_summary(obj)}"
                + (f"  [params: {keys}]" if keys else "")
                + (f"  [can: {able}]" if able else "")
            )
    return 0
