"""API keys never reach logs, terminal output, run.json, rejects, records or the dataset card.

Every provider key variable is set to a canary. Runs use the fake provider and, for the cloud
providers, the real LangChain clients with their HTTP transport replaced by a local stub (no
socket is opened), so the keys really travel through the client code. Everything a run leaves
behind, and everything it prints or logs, is then searched for the canaries.
"""

from __future__ import annotations

import json
import logging
import random
import re
import sys
import traceback
from pathlib import Path

import pytest

from reviewgen.cli import main
from reviewgen.core import secrets
from reviewgen.core.config import ModelSpec
from reviewgen.core.errors import ConfigError, ProviderError
from reviewgen.models import providers
from reviewgen.pipeline.components import load_config
from tests.evaluation.corpus import make_reviews

try:
    import httpx2  # the HTTP library of the openai and google-genai clients
except ImportError:  # the tests that stub it skip
    httpx2 = None

CANARIES = {
    "GOOGLE_API_KEY": "AIzaCANARYgoogle7f3a9c1e5d",
    "GEMINI_API_KEY": "AIzaCANARYgemini2b8e4f60aa",
    "OPENAI_API_KEY": "sk-CANARYopenai9d0c55e1b7",
}
WORDS = re.findall(
    r"\w+",
    "battery camera screen charger case price delivery signal speaker button week month "
    "bright slow fast heavy light cheap solid fine great poor okay decent daily work kids",
)


def test_every_key_variable_the_providers_read_has_a_canary():
    """A provider that starts reading a new key variable must get a canary (and redaction)."""
    source = Path(providers.__file__).read_text(encoding="utf-8")
    read = set(re.findall(r"[A-Z][A-Z0-9_]*_API_KEY", source))
    assert read == set(CANARIES) == set(secrets.key_variables())


@pytest.fixture(autouse=True)
def canary_keys(monkeypatch):
    for variable, value in CANARIES.items():
        monkeypatch.setenv(variable, value)


def leaks(text: str) -> list[str]:
    """Canary variables whose value appears in ``text``, whole or as its secret middle part."""
    return [v for v, key in CANARIES.items() if key in text or key[4:-4] in text]


def assert_no_leak(capsys, caplog, *folders: Path, extra: str = "") -> None:
    captured = capsys.readouterr()
    texts = {"stdout": captured.out, "stderr": captured.err, "extra": extra}
    texts["logs"] = "\n".join(
        f"{r.getMessage()} {r.args!r} {r.exc_text or ''}" for r in caplog.records
    )
    for folder in folders:
        files = [p for p in folder.rglob("*") if p.is_file()]
        assert files, f"{folder} is empty: the scan would prove nothing"
        texts |= {str(p): p.read_bytes().decode("utf-8", "replace") for p in files}
    found = {name: leaks(text) for name, text in texts.items() if leaks(text)}
    assert not found, f"API key found in: {found}"


# -- a stub for the providers' HTTP layer -----------------------------------------------------


class ProviderStub:
    """Answers OpenAI and Gemini requests locally; records the key each request carried."""

    def __init__(self, status: int = 200, echo_key: bool = False) -> None:
        self.status = status
        self.echo_key = echo_key
        self.keys_sent: list[str] = []
        self.calls = 0

    def review(self) -> str:
        rng = random.Random(self.calls)
        return " ".join(rng.choice(WORDS) for _ in range(rng.randint(25, 45))) + "."

    def respond(self, request: httpx2.Request) -> httpx2.Response:
        self.calls += 1
        key = request.headers.get("authorization") or request.headers.get("x-goog-api-key", "")
        self.keys_sent.append(key)
        if self.status != 200:
            # An OpenAI-compatible server quoting the key back, the worst case for a leak.
            message = f"Incorrect API key provided: {key}" if self.echo_key else "Unauthorized"
            error = {"error": {"message": message, "type": "invalid_request_error"}}
            return httpx2.Response(self.status, json=error, request=request)
        if "googleapis" in request.url.host:
            return httpx2.Response(200, json=self._gemini(), request=request)
        return httpx2.Response(200, json=self._openai(json.loads(request.content)), request=request)

    def _gemini(self) -> dict:
        return {
            "candidates": [
                {
                    "content": {"parts": [{"text": self.review()}], "role": "model"},
                    "finishReason": "STOP",
                    "index": 0,
                }
            ],
            "usageMetadata": {
                "promptTokenCount": 50,
                "candidatesTokenCount": 40,
                "totalTokenCount": 90,
            },
        }

    def _openai(self, body: dict) -> dict:
        scores = {"realism": 4, "aspect_coverage": 4, "rating_match": 4, "feedback": "fine"}
        message: dict = {"role": "assistant", "content": json.dumps(scores)}
        if body.get("tools"):  # function calling: the answer is a tool call
            call = {"name": body["tools"][0]["function"]["name"], "arguments": message["content"]}
            message = {
                "role": "assistant",
                "content": None,
                "tool_calls": [{"id": "call_1", "type": "function", "function": call}],
            }
        return {
            "id": "chatcmpl-stub",
            "object": "chat.completion",
            "created": 0,
            "model": body.get("model", "stub"),
            "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 50, "completion_tokens": 20, "total_tokens": 70},
        }


@pytest.fixture
def stub(monkeypatch) -> ProviderStub:
    """Replace httpx2's transports (used by the openai and google-genai clients) with the stub."""
    pytest.importorskip("langchain_openai", reason="needs the openai extra")
    pytest.importorskip("langchain_google_genai", reason="needs the gemini extra")
    if httpx2 is None:
        pytest.skip("the provider clients do not use httpx2 here")
    server = ProviderStub()

    async def handle_async(self, request):
        return server.respond(request)

    monkeypatch.setattr(httpx2.AsyncHTTPTransport, "handle_async_request", handle_async)
    monkeypatch.setattr(
        httpx2.HTTPTransport, "handle_request", lambda self, request: server.respond(request)
    )
    return server


@pytest.fixture
def logs(caplog):
    """Capture every log record, debug included (client libraries log requests there)."""
    caplog.set_level(logging.DEBUG)
    return caplog


# -- runs -------------------------------------------------------------------------------------

FAKE = ["--set", "models.default.provider=fake", "--set", "models.default.model=fake"]
CLOUD = [
    "--set",
    "models.writer={provider: google_genai, model: gemini-2.5-flash, retries: 1}",
    "--set",
    "models.judge={provider: openai, model: gpt-4.1-mini, retries: 1}",
    "--set",
    "critic.rules=[{name: llm_judge.v1}]",
    "--set",
    "store.check_reference=false",
]


def generate(out: Path, *args: str, count: int = 4) -> int:
    return main(["generate", *FAKE, *args, "--count", str(count), "--out", str(out)])


def evaluate(out: Path, report: Path) -> int:
    """``reviewgen evaluate`` of ``out`` against project-made reviews (report, card, metrics)."""
    real = report.parent / "real.csv"
    lines = ["text,rating"] + [f'"{r.text}",{r.rating}' for r in make_reviews(60, 2)]
    real.write_text("\n".join(lines) + "\n", encoding="utf-8")
    args = [str(out), "--reference", str(real), "--out", str(report), "--workers", "1"]
    return main(["evaluate", *args])


def test_fake_run_and_its_evaluation_carry_no_key(tmp_path, capsys, logs):
    """The default pipeline on the fake provider, then the report and dataset card."""
    out, report = tmp_path / "out", tmp_path / "report"
    assert generate(out, count=5) == 0
    assert evaluate(out, report) == 0 and (report / "DATASET_CARD.md").exists()
    assert (report / "report.html").exists() and (out / "run.json").exists()
    assert_no_leak(capsys, logs, out, report)


def test_cloud_providers_send_the_key_but_never_write_it(tmp_path, capsys, logs, stub):
    """Gemini writes, GPT judges (stubbed HTTP): the key is sent, and nowhere else."""
    out, report = tmp_path / "out", tmp_path / "report"
    assert generate(out, *CLOUD, count=3) == 0
    manifest = json.loads((out / "run.json").read_text("utf-8"))
    assert manifest["models"]["writer"] == "google_genai:gemini-2.5-flash"
    assert manifest["usage"]["judge"]["calls"] >= 3
    assert CANARIES["GOOGLE_API_KEY"] in stub.keys_sent
    assert f"Bearer {CANARIES['OPENAI_API_KEY']}" in stub.keys_sent
    assert evaluate(out, report) == 0
    assert_no_leak(capsys, logs, out, report)


def test_pilot_prints_no_key(tmp_path, capsys, logs, stub):
    """The pilot calls both providers; its printed estimate carries no key."""
    assert main(["generate", *FAKE, *CLOUD, "--count", "20", "--pilot", "--yes"]) == 0
    assert stub.calls > 0
    assert_no_leak(capsys, logs)


def test_judge_refusing_the_key_stops_the_run_without_showing_it(tmp_path, capsys, logs, stub):
    """A 401 whose message quotes the key: the run stops at once (every later call would be
    refused too) with the variable's name in the message, never its value."""
    stub.status, stub.echo_key = 401, True
    out = tmp_path / "out"
    args = [*CLOUD, "--set", "models.writer=null", "--max-attempts", "30"]
    assert generate(out, *args, count=2) == 2
    err = capsys.readouterr().err
    assert "judge model refused" in err and "[OPENAI_API_KEY]" in err
    assert stub.calls == 1
    assert_no_leak(capsys, logs, out, extra=err)


def test_writer_error_quoting_the_key_is_not_shown(tmp_path, capsys, logs, stub):
    """A writer 401 stops the run; what the user sees (message or traceback) has no key."""
    stub.status, stub.echo_key = 401, True
    out = tmp_path / "out"
    try:
        code = generate(out, *CLOUD, count=2)
        shown = ""
    except Exception as exc:  # what Python would print for an uncaught error
        code, shown = 1, "".join(traceback.format_exception(exc))
    assert code != 0
    assert_no_leak(capsys, logs, out, extra=shown)


def test_bad_config_and_missing_key_errors_name_no_key(tmp_path, capsys, logs, monkeypatch):
    assert generate(tmp_path / "a", "--set", "models.default.provider=gpt") == 2
    monkeypatch.delenv("OPENAI_API_KEY")
    args = ["--set", "models.judge={provider: openai, model: m}"]
    args += ["--set", "critic.rules=[{name: llm_judge.v1}]"]
    assert generate(tmp_path / "b", *args) == 2
    assert "OPENAI_API_KEY" in capsys.readouterr().err  # names the variable, not a value
    monkeypatch.setenv("OPENAI_API_KEY", CANARIES["OPENAI_API_KEY"])
    assert_no_leak(capsys, logs)


@pytest.mark.parametrize("provider", ["openai", "google_genai"])
def test_provider_objects_and_errors_do_not_show_the_key(provider, monkeypatch):
    """The built model's repr and dump, and a failed call's error, keep the key hidden."""
    pytest.importorskip(f"langchain_{provider}")
    if provider == "google_genai":  # the fallback variable is read and hidden too
        monkeypatch.delenv("GOOGLE_API_KEY")
    model = providers.build_model(ModelSpec(provider=provider, model="m", retries=1))
    shown = f"{model!r} {model} {model.model_dump()} {model.model_dump_json()}"
    with pytest.raises(Exception) as failure:  # the network guard refuses the connection
        model.invoke("hi")
    shown += "".join(traceback.format_exception(failure.value))
    assert not leaks(shown)


def test_missing_package_error_names_the_extra_only(monkeypatch):
    monkeypatch.setitem(sys.modules, "langchain_openai", None)
    with pytest.raises(ProviderError, match=r"reviewgen\[openai\]") as failure:
        providers.build_model(ModelSpec(provider="openai", model="m"))
    assert not leaks(str(failure.value))


def test_redact_replaces_every_key_and_leaves_other_text():
    text = " ".join(f"{v}={k}" for v, k in CANARIES.items()) + " battery lasts"
    redacted = secrets.redact(text)
    assert not leaks(redacted) and redacted.endswith("battery lasts")
    assert "[OPENAI_API_KEY]" in redacted


@pytest.mark.parametrize(
    "setting",
    [
        "models.default.options={api_key: sk-in-config}",
        "models.writer={provider: openai, model: m, base_url: 'https://me:sk-x@host/v1'}",
    ],
)
def test_credentials_in_the_config_are_refused(setting):
    """The config is copied into run.json, so a key written into it would be published."""
    with pytest.raises(ConfigError, match="key variable"):
        load_config(None, [setting])
