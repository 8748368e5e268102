"""API keys stay out of files and terminals: every message that may quote a request goes through
``redact`` first."""

from __future__ import annotations

import os

from reviewgen.core.registry import providers


def key_variables() -> list[str]:
    """Every environment variable a registered provider, built-in or plugin, reads a key from."""
    return sorted({v for cls in providers.items().values() for v in cls.key_variables})


def redact(text: str) -> str:
    """``text`` with every API key value from the environment replaced by its variable's name.

    Provider errors can quote the request back (an OpenAI-compatible server answering 401 with
    "Incorrect API key provided: ..."); anything written to a file or the terminal from such
    an error goes through this first.
    """
    for variable in key_variables():
        value = os.environ.get(variable, "")
        if len(value) >= 8:  # a shorter value is no real key and would mangle ordinary text
            text = text.replace(value, f"[{variable}]")
    return text
