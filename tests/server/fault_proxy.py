"""A fault-injecting HTTP proxy on 127.0.0.1, scripted per request.

It sits between the pipeline's OpenAI client and a real server: each ``POST`` whose body holds
``match`` (all of them without one) takes the next action of its script, then ``then`` (an
action, or a callable giving one); other requests pass. So a test says exactly which call meets
a 429, a dropped connection or a cut-off body, through a real socket and the real client stack.
``GET`` requests (the preflight's model listing) pass through untouched.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# llama.cpp's and OpenAI's words for a prompt longer than the context (code included).
CONTEXT_LENGTH_BODY = {
    "error": {
        "message": "This model's maximum context length is 1024 tokens. However, you requested "
        "1071 tokens (815 in the messages, 256 in the completion). Please reduce the length of "
        "the messages or completion.",
        "type": "invalid_request_error",
        "param": "messages",
        "code": "context_length_exceeded",
    }
}


@dataclass(frozen=True)
class Action:
    """What the proxy does with one request: ``pass`` it on, answer with ``status`` (and
    ``headers``/``body``), ``drop`` the connection, ``stall`` for ``seconds`` then drop it,
    forward and ``truncate`` the body, or answer 200 with ``malformed`` JSON."""

    kind: str
    status: int = 200
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    seconds: float = 0.0


PASS = Action("pass")
DROP = Action("drop")
TRUNCATE = Action("truncate")
MALFORMED = Action("malformed", body=b'{"id": "chatcmpl-1", "object": "chat.completion", "choi')
CONTEXT_LENGTH = Action("status", 400, body=json.dumps(CONTEXT_LENGTH_BODY).encode())


def status(code: int, retry_after: str | None = None) -> Action:
    headers = (("Retry-After", retry_after),) if retry_after is not None else ()
    body = json.dumps({"error": {"message": f"injected {code}", "type": "server_error"}})
    return Action("status", code, headers, body.encode())


def stall(seconds: float) -> Action:
    return Action("stall", seconds=seconds)


@dataclass
class FaultProxy:
    """``with FaultProxy(upstream_port) as proxy: proxy.script([...]); ...``"""

    upstream_port: int
    # (action, status sent or None, monotonic time it arrived) for each request handled
    served: list[tuple[str, int | None, float]] = field(default_factory=list)
    _script: list[Action] = field(default_factory=list)
    _then: Action | Callable[[], Action] = PASS
    _match: str | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def script(
        self,
        actions: Iterable[Action],
        then: Action | Callable[[], Action] = PASS,
        match: str | None = None,
    ) -> None:
        with self._lock:
            self._script = list(actions)
            self._then = then
            self._match = match
            self.served.clear()

    def next_action(self, body: bytes) -> Action:
        with self._lock:
            if self._match is not None and self._match.encode() not in body:
                return PASS
            if self._script:
                return self._script.pop(0)
            return self._then() if callable(self._then) else self._then

    def record(self, action: Action, sent: int | None, arrived: float) -> None:
        with self._lock:
            self.served.append((action.kind, sent, arrived))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def __enter__(self) -> FaultProxy:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                self.arrived = time.monotonic()
                self._forward(b"", PASS)

            def do_POST(self) -> None:
                self.arrived = time.monotonic()
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self._forward(body, proxy.next_action(body))

            def _forward(self, body: bytes, action: Action) -> None:
                if action.kind in ("drop", "stall"):
                    time.sleep(action.seconds)
                    proxy.record(action, None, self.arrived)
                    self.close_connection = True
                    self.connection.close()
                    return
                if action.kind in ("status", "malformed"):
                    self._answer(action.status, dict(action.headers), action.body)
                    proxy.record(action, action.status, self.arrived)
                    return
                code, headers, payload = self._upstream(body)
                if action.kind == "truncate":
                    self.send_response(code)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload[: len(payload) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    self.connection.close()
                    proxy.record(action, code, self.arrived)
                    return
                self._answer(code, headers, payload)
                proxy.record(action, code, self.arrived)

            def _upstream(self, body: bytes) -> tuple[int, dict[str, str], bytes]:
                connection = http.client.HTTPConnection("127.0.0.1", proxy.upstream_port, 300)
                try:
                    headers = {"Content-Type": "application/json"} if body else {}
                    connection.request(self.command, self.path, body or None, headers)
                    response = connection.getresponse()
                    payload = response.read()
                    kept = {"Content-Type": response.getheader("Content-Type", "application/json")}
                    return response.status, kept, payload
                finally:
                    connection.close()

            def _answer(self, code: int, headers: dict[str, str], payload: bytes) -> None:
                self.send_response(code)
                headers.setdefault("Content-Type", "application/json")
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
