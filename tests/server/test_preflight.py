"""Bad server settings: a one-line error naming the setting, before any review is written."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from reviewgen.cli import main
from reviewgen.pipeline.build import build
from reviewgen.pipeline.components import load_config
from tests.server.conftest import free_port, server_overrides


def generate_with(tmp_path, capsys, *settings: str) -> tuple[int, str]:
    overrides = [item for s in settings for item in ("--set", s)]
    code = main(["generate", "--count", "1", "--out", str(tmp_path), *overrides])
    return code, capsys.readouterr().err


def test_nothing_answering_at_base_url(tmp_path, capsys):
    url = f"http://127.0.0.1:{free_port()}/v1"
    code, err = generate_with(tmp_path, capsys, *server_overrides(url))
    assert code == 2
    assert err == (
        f"error: models.default.base_url: nothing answers at {url} (connection refused)\n"
    )
    assert not (tmp_path / "reviews.jsonl").exists()


def test_a_role_of_its_own_is_named(tmp_path, capsys):
    url = f"http://127.0.0.1:{free_port()}/v1"
    judge = {"provider": "openai", "model": "m", "base_url": url}
    code, err = generate_with(
        tmp_path,
        capsys,
        f"models.judge={json.dumps(judge)}",
        "critic.rules=[{name: llm_judge.v1}]",
        "models.default={provider: fake, model: fake}",
    )
    assert code == 2 and err.startswith("error: models.judge.base_url: nothing answers at")


@pytest.mark.integration
def test_a_model_the_server_does_not_serve(llama_server, tmp_path, capsys):
    code, err = generate_with(
        tmp_path, capsys, *server_overrides(llama_server.url), "models.default.model=gemma"
    )
    assert code == 2
    assert err == (
        f"error: models.default.model: the server at {llama_server.url} has no model "
        "'gemma'; it serves: smollm2\n"
    )


@pytest.mark.integration
def test_a_server_that_is_not_openai_compatible(llama_server, tmp_path, capsys):
    url = f"http://127.0.0.1:{llama_server.port}/nothing-here"
    code, err = generate_with(tmp_path, capsys, *server_overrides(url))
    assert code == 2
    assert err == (
        f"error: models.default.base_url: {url} answers, but GET {url}/models gave HTTP 404 "
        "(is it the API's root, such as http://host:port/v1?)\n"
    )


class Listing(BaseHTTPRequestHandler):
    """A vLLM-style /v1/models: the context window is ``max_model_len``."""

    def do_GET(self) -> None:
        body = json.dumps(
            {"object": "list", "data": [{"id": "org/model-7b", "max_model_len": 1536}]}
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def test_the_servers_context_window_bounds_the_writer():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Listing)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    try:
        spec = {"provider": "openai", "model": "org/model-7b", "base_url": url}
        config = load_config(None, [f"models.default={json.dumps(spec)}"])
        assert build(config).stages.writer.context_window == 1536
        spec["context_window"] = 1024  # the config's word comes first
        config = load_config(None, [f"models.default={json.dumps(spec)}"])
        assert build(config).stages.writer.context_window == 1024
    finally:
        server.shutdown()
        server.server_close()
