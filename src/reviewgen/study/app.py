"""The raters' web app: one page and two JSON routes per personal token, nothing else.

Routes are fixed (no static directory, no path from a request ever reaches the file system).
The token is the only credential: an unknown one gets 403 whatever the route. An item's JSON is
the payload precomputed at creation, so neither its shape nor the work behind it depends on
whether the review is real or synthetic; nothing about the truth is sent, before or after.
"""

from __future__ import annotations

import json
import socket
from importlib.resources import files
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from reviewgen.core.errors import ConfigError
from reviewgen.study.store import (
    AlreadyAnswered,
    InvalidAnswer,
    Progress,
    Rater,
    Study,
    UnknownItem,
)

MAX_BODY = 4096  # bytes; an answer is a label, a digit and a short comment
ASSETS = {"page.js": "text/javascript", "page.css": "text/css"}
HEADERS = {
    "content-security-policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",  # the token is in the URL
    "cache-control": "no-store",
    "x-frame-options": "DENY",
}


class SecurityHeaders:
    """Adds ``HEADERS`` to every response (pure ASGI, so streaming is untouched)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    (k.encode(), v.encode())
                    for k, v in HEADERS.items()
                    if k.encode() not in present
                ]
            await send(message)

        await self.app(scope, receive, with_headers)


def _resource(name: str) -> bytes:
    return files("reviewgen.study").joinpath(name).read_bytes()


def _state(progress: Progress) -> Response:
    """``{"done", "total", "item"}``: the item is the stored payload, spliced in verbatim."""
    item = progress.payload if progress.payload is not None else "null"
    body = f'{{"done": {progress.done}, "total": {progress.total}, "item": {item}}}'
    return Response(body, media_type="application/json")


class BodyTooLarge(InvalidAnswer):
    """More than ``MAX_BODY`` bytes were sent."""


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


async def _read_json(request: Request) -> Any:
    """The body as JSON, refusing more than ``MAX_BODY`` bytes before reading them all."""
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY):
        raise BodyTooLarge("request body too large")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise BodyTooLarge("request body too large")
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise InvalidAnswer("the body must be a JSON object") from None


def build_app(study: Study) -> Starlette:
    """The ASGI app serving ``study``'s raters."""
    page = _resource("page.html")
    assets = {name: _resource(name) for name in ASSETS}

    async def rater_of(request: Request) -> Rater | None:
        token = request.path_params.get("token", "")
        return await run_in_threadpool(study.rater_by_token, token)

    async def forbidden(request: Request) -> Response:
        return PlainTextResponse("This link is not valid. Ask for your personal link.", 403)

    async def index(request: Request) -> Response:
        if await rater_of(request) is None:
            return await forbidden(request)
        return Response(page, media_type="text/html; charset=utf-8")

    async def asset(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in assets:
            return PlainTextResponse("Not found", 404)
        return Response(assets[name], media_type=f"{ASSETS[name]}; charset=utf-8")

    async def state(request: Request) -> Response:
        rater = await rater_of(request)
        if rater is None:
            return _error(403, "invalid link")
        return _state(await run_in_threadpool(study.progress, rater))

    async def answer(request: Request) -> Response:
        rater = await rater_of(request)
        if rater is None:
            return _error(403, "invalid link")
        try:
            data = await _read_json(request)
            if not isinstance(data, dict) or not isinstance(data.get("id"), str):
                raise InvalidAnswer("the body must be a JSON object with an item id")
            await run_in_threadpool(
                study.answer,
                rater,
                data["id"],
                data.get("label"),
                data.get("confidence"),
                data.get("comment", ""),
            )
        except BodyTooLarge as exc:
            return _error(413, str(exc))
        except InvalidAnswer as exc:
            return _error(422, str(exc))
        except UnknownItem:
            return _error(404, "no such item in this study")
        except AlreadyAnswered:
            return _error(409, "this item was answered already; answers are final")
        return _state(await run_in_threadpool(study.progress, rater))

    async def favicon(request: Request) -> Response:
        return Response(status_code=204)

    routes = [
        Route("/r/{token}", index, methods=["GET"]),
        Route("/assets/{name}", asset, methods=["GET"]),
        Route("/api/{token}/state", state, methods=["GET"]),
        Route("/api/{token}/answer", answer, methods=["POST"]),
        Route("/favicon.ico", favicon, methods=["GET"]),
        Route("/", forbidden),
        Route("/r/{rest:path}", forbidden),
        Route("/api/{rest:path}", forbidden, methods=["GET", "POST"]),
    ]
    app = Starlette(routes=routes)
    app.add_middleware(SecurityHeaders)
    return app


def check_port_free(host: str, port: int) -> None:
    """Raise ``ConfigError`` if ``host:port`` cannot be bound (checked before writing)."""
    if not 0 < port < 65536:
        raise ConfigError(f"--port must be 1-65535, got {port}")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise ConfigError(
                f"cannot listen on {host}:{port} ({exc.strerror}); choose another --port"
            ) from None


def links(study: Study, host: str, port: int) -> list[tuple[str, str]]:
    """(rater name, personal URL) for every person in the study."""
    shown = f"[{host}]" if ":" in host else host
    return [(r.name, f"http://{shown}:{port}/r/{r.token}") for r in study.raters("person")]


def serve(study: Study, host: str, port: int) -> None:
    """Serve until interrupted (uvicorn; access log off, as URLs carry tokens)."""
    import uvicorn

    uvicorn.run(build_app(study), host=host, port=port, log_level="warning", access_log=False)
