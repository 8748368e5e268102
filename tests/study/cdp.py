"""A small Chrome DevTools Protocol client: headless Chromium driven over a local WebSocket.

Only Chromium itself is needed (no chromedriver, nothing downloaded); the browser listens on a
port of its own choosing on 127.0.0.1 and writes it into its profile folder.
"""

from __future__ import annotations

import itertools
import json
import subprocess
import time
from pathlib import Path
from typing import Any

import websocket

FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--remote-debugging-address=127.0.0.1",
    "--remote-debugging-port=0",
    "--window-size=1000,700",
]
KEYS = {  # key -> (code, virtual key code, text)
    "Enter": ("Enter", 13, "\r"),
    **{c: (f"Key{c.upper()}", ord(c.upper()), c) for c in "rsc"},
    **{d: (f"Digit{d}", ord(d), d) for d in "12345"},
}


class Browser:
    """One page in a fresh headless Chromium; ``close`` ends the browser it started."""

    def __init__(self, chromium: str, profile: Path, timeout: float = 30.0) -> None:
        self.timeout = timeout
        self.process = subprocess.Popen(
            [chromium, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self._ids = itertools.count(1)
        try:
            port, path = self._endpoint(profile / "DevToolsActivePort")
            self.socket = websocket.create_connection(
                f"ws://127.0.0.1:{port}{path}", timeout=timeout, suppress_origin=True
            )
            target = self.send("Target.createTarget", url="about:blank")["targetId"]
            self.session = self.send("Target.attachToTarget", targetId=target, flatten=True)[
                "sessionId"
            ]
        except BaseException:
            self.close()
            raise

    def _endpoint(self, port_file: Path) -> tuple[str, str]:
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"chromium exited with {self.process.returncode}")
            lines = port_file.read_text().split() if port_file.exists() else []
            if len(lines) == 2:
                return lines[0], lines[1]
            time.sleep(0.1)
        raise TimeoutError("chromium did not open its DevTools port")

    def send(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        """Call ``method`` and wait for its result (events in between are dropped)."""
        ident = next(self._ids)
        message: dict[str, Any] = {"id": ident, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        self.socket.send(json.dumps(message))
        while True:
            reply = json.loads(self.socket.recv())
            if reply.get("id") == ident:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})

    def page(self, method: str, **params: Any) -> dict[str, Any]:
        return self.send(method, self.session, **params)

    def evaluate(self, expression: str) -> Any:
        result = self.page("Runtime.evaluate", expression=expression, returnByValue=True)
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 15.0) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = self.evaluate(expression)
            if value:
                return value
            time.sleep(0.05)
        raise TimeoutError(f"still false after {timeout}s: {expression}")

    def navigate(self, url: str) -> None:
        self.page("Page.navigate", url=url)

    def press(self, key: str) -> None:
        code, virtual, text = KEYS[key]
        common = {"key": key, "code": code, "windowsVirtualKeyCode": virtual}
        self.page("Input.dispatchKeyEvent", type="keyDown", text=text, **common)
        self.page("Input.dispatchKeyEvent", type="keyUp", **common)

    def type_text(self, text: str) -> None:
        self.page("Input.insertText", text=text)

    def close(self) -> None:
        sock = getattr(self, "socket", None)
        if sock is not None:
            sock.close()
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
