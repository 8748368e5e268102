"""Before the first review: is every configured model server there, and does it serve the model?

A wrong ``base_url``, a server that is down or a model name it does not serve otherwise shows up
as a retried, then failed, first draft. One cheap request per server (the provider's
``listing_url``: ``/models`` for OpenAI-compatible servers, ``/api/tags`` for Ollama) turns
that into a one-line error naming the setting, before anything is written. The listing may
also carry the model's context window (vLLM's ``max_model_len``), which the chat writer uses
when the config does not set one.
"""

from __future__ import annotations

import json
import os
import socket
import urllib.error
import urllib.request
from typing import Any

from reviewgen.core.config import Config
from reviewgen.core.errors import ProviderError
from reviewgen.models.providers import provider_options

TIMEOUT = 10.0  # seconds for the listing; a server that is up answers it at once


def setting(config: Config, role: str, key: str) -> str:
    """The config key a role's model comes from: its own section, else ``models.default``."""
    own = getattr(config.models, role, None)
    return f"models.{role if own is not None else 'default'}.{key}"


def _why(error: BaseException) -> str:
    reason = getattr(error, "reason", error)
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused"
    if isinstance(reason, socket.gaierror):
        return "host not found"
    if isinstance(reason, TimeoutError):
        return f"no answer in {TIMEOUT:g} s"
    return " ".join(str(reason).split()) or type(reason).__name__


def fetch_listing(url: str, key: str | None = None, timeout: float = TIMEOUT) -> Any:
    """GET ``url`` as JSON; raises ``OSError`` (unreachable) or ``ValueError`` (not JSON)."""
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    if key:
        request.add_header("Authorization", f"Bearer {key}")
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read().decode("utf-8"))


def check_servers(config: Config, roles: set[str]) -> dict[str, int | None]:
    """Check each distinct server once; returns role -> the context window the server reports
    (None: it does not say). Raises ``ProviderError`` naming the setting at fault."""
    windows: dict[str, int | None] = {}
    seen: dict[tuple[str, str, str], int | None] = {}
    for role in sorted(roles):
        spec = config.models.for_role(role)
        provider, _ = provider_options(spec, role)
        url = provider.listing_url(spec)
        if url is None:
            continue
        key = (spec.provider, url, spec.model)
        if key not in seen:
            seen[key] = _check(config, role, provider, url)
        windows[role] = seen[key]
    return windows


def _check(config: Config, role: str, provider: Any, url: str) -> int | None:
    spec = config.models.for_role(role)
    base = spec.base_url or url.rsplit("/", 1)[0]
    keys = [os.environ[v] for v in provider.key_variables if os.environ.get(v)]
    try:
        body = fetch_listing(url, keys[0] if keys else None)
    except urllib.error.HTTPError as exc:
        if exc.code in (401, 403):
            variables = " or ".join(provider.key_variables) or "the server's key"
            raise ProviderError(
                f"{setting(config, role, 'base_url')}: {base} refused the key "
                f"(HTTP {exc.code}); set {variables}"
            ) from None
        raise ProviderError(
            f"{setting(config, role, 'base_url')}: {base} answers, but GET {url} gave HTTP "
            f"{exc.code} (is it the API's root, such as http://host:port/v1?)"
        ) from None
    except OSError as exc:
        raise ProviderError(
            f"{setting(config, role, 'base_url')}: nothing answers at {base} ({_why(exc)})"
        ) from None
    except ValueError:
        raise ProviderError(
            f"{setting(config, role, 'base_url')}: {base} answers, but not with JSON (GET {url})"
        ) from None
    try:
        served = provider.read_listing(body)
    except (KeyError, TypeError, ValueError):
        raise ProviderError(
            f"{setting(config, role, 'base_url')}: {base} answers, but its model list "
            f"(GET {url}) is not in the {spec.provider} format"
        ) from None
    served_id = provider.serves(served, spec.model)
    if served_id is None:
        listed = ", ".join(sorted(served)[:10]) or "(none)"
        raise ProviderError(
            f"{setting(config, role, 'model')}: the server at {base} has no model "
            f"{spec.model!r}; it serves: {listed}"
        )
    return served[served_id]
