"""Calling the configured model for augmentation, with a small on-disk answer cache.

Any LangChain ``Runnable`` that takes a string works (chat models and completion LLMs alike).
Answers are cached in SQLite keyed by model and prompt, so re-running an augmentation costs no
calls and gives the same text; the cache holds plain strings, never pickles.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from pathlib import Path
from typing import Any

from reviewgen.core.cache import default_cache_dir
from reviewgen.core.errors import DataError, ProviderError, ReviewgenError


class AnswerCache:
    """``prompt -> answer`` per model label, in one SQLite file opened on first use."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None

    def _connection(self) -> sqlite3.Connection:
        if self._db is None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(self.path, check_same_thread=False)
                db.execute("CREATE TABLE IF NOT EXISTS answers (key TEXT PRIMARY KEY, answer TEXT)")
                db.commit()
            except (OSError, sqlite3.Error) as exc:
                raise DataError(f"answer cache {self.path}: cannot open ({exc})") from None
            self._db = db
        return self._db

    @staticmethod
    def key(model: str, prompt: str) -> str:
        return hashlib.sha256(json.dumps([model, prompt]).encode()).hexdigest()

    def get(self, model: str, prompt: str) -> str | None:
        with self._lock:
            row = (
                self._connection()
                .execute("SELECT answer FROM answers WHERE key = ?", (self.key(model, prompt),))
                .fetchone()
            )
        return None if row is None else row[0]

    def put(self, model: str, prompt: str, answer: str) -> None:
        with self._lock:
            db = self._connection()
            db.execute(
                "INSERT OR REPLACE INTO answers VALUES (?, ?)", (self.key(model, prompt), answer)
            )
            db.commit()

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None


def model_label(model: Any) -> str:
    """A stable name for a model: class plus its identifying parameters when it has them."""
    params = getattr(model, "_identifying_params", None)
    try:
        detail = json.dumps(params, sort_keys=True, default=str) if params else ""
    except TypeError:
        detail = ""
    return f"{type(model).__name__}{detail}"


def answer_text(answer: Any) -> str:
    """The text of a chat message, a completion string, or a list of content blocks."""
    content = getattr(answer, "content", answer)
    if isinstance(content, list):
        content = "".join(
            block.get("text", "") if isinstance(block, dict) else str(block) for block in content
        )
    return str(content).strip()


class CachedModel:
    """A model plus its cache; ``ask`` returns the (possibly cached) answer text."""

    def __init__(
        self,
        model: Any,
        cache: AnswerCache | None = None,
        label: str | None = None,
        *,
        use_cache: bool = True,
    ) -> None:
        """Without ``cache``, answers go to the per-user default cache (unless ``use_cache``
        is off)."""
        if model is None or not hasattr(model, "invoke"):
            raise ProviderError("this augmentation needs a model: pass --config with a provider")
        self.model = model
        if cache is None and use_cache:
            cache = AnswerCache(default_cache_dir() / "augment_answers.sqlite")
        self.cache = cache if use_cache else None
        self.label = label or model_label(model)
        self.calls = 0

    def ask(self, prompt: str) -> str:
        if self.cache is not None:
            cached = self.cache.get(self.label, prompt)
            if cached is not None:
                return cached
        try:
            answer = answer_text(self.model.invoke(prompt))
        except ReviewgenError:
            raise
        except Exception as exc:  # provider errors vary by package; report them as one kind
            raise ProviderError(f"model {self.label} failed: {exc}") from exc
        self.calls += 1
        if self.cache is not None:
            self.cache.put(self.label, prompt, answer)
        return answer
