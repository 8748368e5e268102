"""The raters' web app: tokens, final answers, bounded input, escaping and no leaks."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from reviewgen.study.app import MAX_BODY, build_app
from reviewgen.study.create import create_study
from reviewgen.study.store import COMMENT_MAX, Study
from tests.study.conftest import write_real, write_synthetic

PAYLOAD_KEYS = {"id", "product", "stars", "text"}


@pytest.fixture
def client(study: Study) -> TestClient:
    return TestClient(build_app(study))


def _token(study: Study, name: str = "ann") -> str:
    return next(r.token for r in study.raters() if r.name == name)


def _truth(study: Study) -> dict[str, dict]:
    """Item text -> its hidden row (source, dataset id)."""
    return {row["text"]: row for row in study.rows()}


def _answer(client: TestClient, token: str, key: str, **changes: object):
    body = {"id": key, "label": "real", "confidence": 3, "comment": "", **changes}
    return client.post(f"/api/{token}/answer", json=body)


def test_a_wrong_or_missing_token_is_refused(client, study):
    key = json.loads(study.progress(study.raters()[0]).payload)["id"]
    for path in ("/r/nope", "/r/", "/r", "/", "/api/nope/state", "/api//state", "/api/state"):
        assert client.get(path).status_code == 403, path
    assert _answer(client, "nope", key).status_code == 403
    assert client.post("/api/nope/answer", content=b"{}").status_code == 403
    assert study.rows()[0]["label"] is None


def test_answers_are_final(client, study):
    token = _token(study)
    key = client.get(f"/api/{token}/state").json()["item"]["id"]
    first = _answer(client, token, key, label="synthetic", confidence=4)
    assert first.status_code == 200 and first.json()["done"] == 1
    second = _answer(client, token, key, label="real", confidence=1)
    assert second.status_code == 409
    answered = [r for r in study.rows() if r["label"] is not None]
    assert [(r["label"], r["confidence"]) for r in answered] == [("synthetic", 4)]


def test_another_raters_item_is_not_found(client, study):
    ann, bob = _token(study, "ann"), _token(study, "bob")
    key = client.get(f"/api/{ann}/state").json()["item"]["id"]
    assert _answer(client, bob, key).status_code == 404
    assert _answer(client, ann, "made-up-key").status_code == 404


@pytest.mark.parametrize(
    "changes",
    [
        {"confidence": 0},
        {"confidence": 6},
        {"confidence": "3"},
        {"confidence": True},
        {"confidence": 2.5},
        {"label": "human"},
        {"label": None},
        {"comment": "x" * (COMMENT_MAX + 1)},
        {"comment": ["list"]},
    ],
)
def test_bad_answers_are_refused(client, study, changes):
    token = _token(study)
    key = client.get(f"/api/{token}/state").json()["item"]["id"]
    assert _answer(client, token, key, **changes).status_code == 422
    assert client.get(f"/api/{token}/state").json()["done"] == 0


def test_bodies_are_bounded(client, study):
    token = _token(study)
    key = client.get(f"/api/{token}/state").json()["item"]["id"]
    huge = json.dumps({"id": key, "label": "real", "confidence": 3, "pad": "x" * MAX_BODY})
    assert client.post(f"/api/{token}/answer", content=huge).status_code == 413
    assert client.post(f"/api/{token}/answer", content=b"not json").status_code == 422
    assert client.post(f"/api/{token}/answer", content=b"[1, 2]").status_code == 422


def test_only_fixed_files_are_served(client, study):
    token = _token(study)
    assert client.get("/assets/page.js").status_code == 200
    for path in (
        "/assets/store.py",
        "/assets/page.html",
        "/assets/..%2fstore.py",
        "/assets/%2e%2e/%2e%2e/study.sqlite",
        "/study.sqlite",
        f"/r/{token}/../../study.sqlite",
    ):
        response = client.get(path)
        assert response.status_code in (403, 404), path
        assert b"SQLite" not in response.content and b"import" not in response.content


def test_every_response_carries_the_security_headers(client, study):
    for path in (f"/r/{_token(study)}", "/r/bad", "/assets/page.js", f"/api/{_token(study)}/state"):
        headers = client.get(path).headers
        assert "script-src 'self'" in headers["content-security-policy"]
        assert headers["referrer-policy"] == "no-referrer"
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["cache-control"] == "no-store"


def test_the_page_builds_its_dom_without_markup_from_data(client):
    script = client.get("/assets/page.js").text
    assert "innerHTML" not in script and "outerHTML" not in script
    assert "insertAdjacentHTML" not in script and "document.write" not in script
    assert "textContent" in script


def test_a_review_with_markup_is_sent_as_json_text(tmp_path):
    hostile = "<script>alert(1)</script> <img src=x onerror=alert(2)> fine phone"
    synthetic = write_synthetic(tmp_path / "s.jsonl", [hostile])
    real = write_real(tmp_path / "r.csv", ["A plain phone, works."])
    study = create_study(synthetic, real, tmp_path / "st", per_rater=2, raters=["ann"])
    client = TestClient(build_app(study))
    token = _token(study)
    texts = []
    for _ in range(2):
        item = client.get(f"/api/{token}/state").json()["item"]
        texts.append(item["text"])
        _answer(client, token, item["id"])
    assert hostile in texts  # verbatim data, for textContent; the page is never built from it
    assert "<script>alert" not in client.get(f"/r/{token}").text


def _check_item(item: dict, secrets: list[str]) -> None:
    assert set(item) == PAYLOAD_KEYS
    assert isinstance(item["id"], str) and re.fullmatch(r"[\w-]{16}", item["id"])
    assert isinstance(item["product"], str) and isinstance(item["stars"], int)
    blob = json.dumps(item).lower()
    for secret in secrets:
        assert secret.lower() not in blob


def test_nothing_a_rater_gets_tells_the_answer(client, study, files, tmp_path):
    """Every response, before and after each answer, for real and synthetic items alike."""
    truth = _truth(study)
    secrets = [
        "synthetic",
        "real",
        "source",
        "SYNID",
        "REALID",
        "dataset",
        str(tmp_path),
        *(str(p) for p in files),
        "syn.jsonl",
        "real.csv",
    ]
    seen: dict[str, dict[str, set]] = {"synthetic": {}, "real": {}}
    keys_by_text: dict[str, set[str]] = {}
    for rater in study.raters():
        page = client.get(f"/r/{rater.token}")
        assets = [client.get(f"/assets/{name}") for name in ("page.js", "page.css")]
        for response in (page, *assets):
            for secret in ("SYNID", "REALID", str(tmp_path), "syn.jsonl", "real.csv"):
                assert secret not in response.text
        state = client.get(f"/api/{rater.token}/state")
        while state.json()["item"] is not None:
            assert set(state.json()) == {"done", "total", "item"}
            item = state.json()["item"]
            _check_item(item, secrets)
            source = truth[item["text"]]["source"]
            shape = seen[source]
            shape.setdefault("headers", set()).add(tuple(sorted(state.headers)))
            shape.setdefault("id_lengths", set()).add(len(item["id"]))
            keys_by_text.setdefault(item["text"], set()).add(item["id"])
            state = _answer(client, rater.token, item["id"], label="synthetic")
            assert state.status_code == 200
        assert state.json() == {"done": 10, "total": 10, "item": None}
    assert seen["synthetic"].keys() == seen["real"].keys()
    assert seen["synthetic"]["headers"] == seen["real"]["headers"]
    assert seen["synthetic"]["id_lengths"] == seen["real"]["id_lengths"] == {16}
    # Each rater addresses the same review by an id of their own.
    assert all(len(keys) == 2 for keys in keys_by_text.values())


def test_each_rater_has_an_order_of_their_own(study):
    orders = {
        rater.name: [text for _, payload in study.pending(rater) for text in [payload["text"]]]
        for rater in study.raters()
    }
    assert sorted(orders["ann"]) == sorted(orders["bob"])
    assert orders["ann"] != orders["bob"]


def test_a_reload_resumes_where_the_rater_stopped(client, study):
    token = _token(study)
    for _ in range(3):
        key = client.get(f"/api/{token}/state").json()["item"]["id"]
        _answer(client, token, key)
    fresh = TestClient(build_app(Study.open(Path(study.directory))))
    state = fresh.get(f"/api/{token}/state").json()
    assert (state["done"], state["total"]) == (3, 10)
    assert state["item"]["id"] == study.pending(study.raters()[0])[0][0]
