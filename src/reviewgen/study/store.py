"""The study on disk: one SQLite file with the items, the raters, their assignments and answers.

Every rater sees every item, in an order of their own, under opaque random keys; what the page
gets for an item (``payload``) is computed once at creation, identical in shape for real and
synthetic reviews, so serving one costs the same query whatever its source. An answer is a row
keyed by its assignment, so a second answer to the same item is refused by the database itself.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from reviewgen import __version__
from reviewgen.core.errors import ConfigError, DataError
from reviewgen.core.seeds import item_rng
from reviewgen.study.sample import SOURCES, Sample, StudyItem

DB_NAME = "study.sqlite"
COMMENT_MAX = 500  # characters; a comment is a note, not an essay
NAME_RE = re.compile(r"^[\w.:@+-]{1,64}$")
KINDS = ("person", "model")

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE items (
    item INTEGER PRIMARY KEY,
    source TEXT NOT NULL CHECK (source IN ('synthetic', 'real')),
    dataset_id TEXT NOT NULL,
    product TEXT,
    stars INTEGER,
    text TEXT NOT NULL,
    words INTEGER NOT NULL
);
CREATE TABLE raters (
    rater INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('person', 'model')),
    token TEXT NOT NULL UNIQUE
);
CREATE TABLE assignments (
    key TEXT PRIMARY KEY,
    rater INTEGER NOT NULL REFERENCES raters,
    item INTEGER NOT NULL REFERENCES items,
    position INTEGER NOT NULL,
    payload TEXT NOT NULL,
    UNIQUE (rater, position),
    UNIQUE (rater, item)
);
CREATE TABLE answers (
    key TEXT PRIMARY KEY REFERENCES assignments,
    label TEXT NOT NULL CHECK (label IN ('synthetic', 'real')),
    confidence INTEGER NOT NULL CHECK (confidence BETWEEN 1 AND 5),
    comment TEXT NOT NULL DEFAULT '',
    answered_at TEXT NOT NULL
);
"""


class InvalidAnswer(ValueError):
    """The answer breaks a bound (label, confidence 1-5, comment length)."""


class UnknownItem(LookupError):
    """The key is not one of this rater's items."""


class AlreadyAnswered(Exception):
    """Answers are final: the item was answered before."""


@dataclass(frozen=True)
class Rater:
    id: int
    name: str
    kind: str
    token: str


@dataclass(frozen=True)
class Progress:
    done: int
    total: int
    payload: str | None  # the next item as the page gets it; None when all are answered


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def payload_json(key: str, item: StudyItem, show_product: bool, show_stars: bool) -> str:
    """What a rater's page receives for one item: the same four fields for every source."""
    return json.dumps(
        {
            "id": key,
            "product": item.product if show_product else None,
            "stars": item.stars if show_stars else None,
            "text": item.text,
        },
        ensure_ascii=False,
    )


def check_answer(label: Any, confidence: Any, comment: Any) -> tuple[str, int, str]:
    """The answer, validated; raises ``InvalidAnswer`` naming the bound it breaks."""
    if label not in SOURCES:
        raise InvalidAnswer(f"label must be one of {', '.join(SOURCES)}")
    if isinstance(confidence, bool) or not isinstance(confidence, int) or not 1 <= confidence <= 5:
        raise InvalidAnswer("confidence must be an integer from 1 to 5")
    comment = "" if comment is None else comment
    if not isinstance(comment, str) or len(comment) > COMMENT_MAX:
        raise InvalidAnswer(f"comment must be text of at most {COMMENT_MAX} characters")
    return label, confidence, comment.strip()


def check_rater_names(names: Sequence[str]) -> None:
    bad = [name for name in names if not NAME_RE.match(name)]
    if bad:
        raise ConfigError(
            f"rater name {bad[0]!r} is not allowed: 1-64 letters, digits or . _ - : @ +"
        )
    if len(set(names)) != len(names):
        raise ConfigError("rater names must be distinct")


class Study:
    """A study directory; every method opens its own connection (safe across threads)."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)
        self.db_path = self.directory / DB_NAME

    @classmethod
    def open(cls, directory: str | Path) -> Study:
        study = cls(directory)
        if not study.db_path.is_file():
            raise DataError(f"{directory}: not a study directory (no {DB_NAME})")
        return study

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.db_path, timeout=30)
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA foreign_keys = ON")
        try:
            with db:
                yield db
        finally:
            db.close()

    def meta(self) -> dict[str, Any]:
        with self.connect() as db:
            return {
                row["key"]: json.loads(row["value"]) for row in db.execute("SELECT * FROM meta")
            }

    def raters(self, kind: str | None = None) -> list[Rater]:
        with self.connect() as db:
            rows = db.execute("SELECT * FROM raters ORDER BY rater").fetchall()
        raters = [Rater(r["rater"], r["name"], r["kind"], r["token"]) for r in rows]
        return [r for r in raters if kind is None or r.kind == kind]

    def rater_by_token(self, token: str) -> Rater | None:
        """The person the token belongs to; model raters have no page."""
        with self.connect() as db:
            row = db.execute(
                "SELECT * FROM raters WHERE token = ? AND kind = 'person'", (token,)
            ).fetchone()
        return None if row is None else Rater(row["rater"], row["name"], row["kind"], row["token"])

    def add_rater(self, name: str, kind: str = "person") -> Rater:
        """A new rater with every item, in an order seeded by the study seed and the name."""
        check_rater_names([name])
        meta = self.meta()
        with self.connect() as db:
            if db.execute("SELECT 1 FROM raters WHERE name = ?", (name,)).fetchone():
                raise ConfigError(f"the study already has a rater named {name!r}")
            rater = insert_rater(db, name, kind)
            items = [row["item"] for row in db.execute("SELECT item FROM items ORDER BY item")]
            item_rng(meta["seed"], "study", "order", name).shuffle(items)
            for position, item in enumerate(items):
                insert_assignment(db, rater.id, item, position, meta)
        return rater

    def progress(self, rater: Rater) -> Progress:
        with self.connect() as db:
            done, total = db.execute(
                "SELECT COUNT(answers.key), COUNT(*) FROM assignments "
                "LEFT JOIN answers USING (key) WHERE rater = ?",
                (rater.id,),
            ).fetchone()
            row = db.execute(
                "SELECT payload FROM assignments LEFT JOIN answers USING (key) "
                "WHERE rater = ? AND answers.key IS NULL ORDER BY position LIMIT 1",
                (rater.id,),
            ).fetchone()
        return Progress(done, total, None if row is None else row["payload"])

    def pending(self, rater: Rater) -> list[tuple[str, dict[str, Any]]]:
        """The rater's unanswered items in order: (key, payload as a dict)."""
        with self.connect() as db:
            rows = db.execute(
                "SELECT key, payload FROM assignments LEFT JOIN answers USING (key) "
                "WHERE rater = ? AND answers.key IS NULL ORDER BY position",
                (rater.id,),
            ).fetchall()
        return [(row["key"], json.loads(row["payload"])) for row in rows]

    def answer(
        self, rater: Rater, key: str, label: Any, confidence: Any, comment: Any = ""
    ) -> None:
        """Record an answer once; ``UnknownItem``, ``AlreadyAnswered`` or ``InvalidAnswer``."""
        label, confidence, comment = check_answer(label, confidence, comment)
        with self.connect() as db:
            owner = db.execute("SELECT rater FROM assignments WHERE key = ?", (key,)).fetchone()
            if owner is None or owner["rater"] != rater.id:
                raise UnknownItem(key)
            try:
                insert_answer(db, key, label, confidence, comment, now())
            except sqlite3.IntegrityError:
                raise AlreadyAnswered(key) from None

    def rows(self) -> list[dict[str, Any]]:
        """Every assignment with its item's truth and the answer (None while unanswered)."""
        with self.connect() as db:
            rows = db.execute(
                "SELECT raters.name AS rater, raters.kind AS rater_kind, position, "
                "items.item, source, dataset_id, product, stars, words, text, "
                "label, confidence, comment, answered_at "
                "FROM assignments JOIN raters USING (rater) JOIN items USING (item) "
                "LEFT JOIN answers USING (key) ORDER BY raters.rater, position"
            ).fetchall()
        return [dict(row) for row in rows]


def insert_rater(db: sqlite3.Connection, name: str, kind: str) -> Rater:
    if kind not in KINDS:
        raise ConfigError(f"rater kind {kind!r}; valid choices: {', '.join(KINDS)}")
    token = secrets.token_urlsafe(18)
    cursor = db.execute(
        "INSERT INTO raters (name, kind, token) VALUES (?, ?, ?)", (name, kind, token)
    )
    return Rater(int(cursor.lastrowid or 0), name, kind, token)


def insert_assignment(
    db: sqlite3.Connection, rater: int, item: int, position: int, meta: dict[str, Any]
) -> str:
    row = db.execute("SELECT * FROM items WHERE item = ?", (item,)).fetchone()
    study_item = StudyItem(
        row["source"], row["dataset_id"], row["product"], row["stars"], row["text"]
    )
    key = secrets.token_urlsafe(12)
    payload = payload_json(key, study_item, meta["show_product"], meta["show_stars"])
    db.execute(
        "INSERT INTO assignments (key, rater, item, position, payload) VALUES (?, ?, ?, ?, ?)",
        (key, rater, item, position, payload),
    )
    return key


def insert_answer(
    db: sqlite3.Connection, key: str, label: str, confidence: int, comment: str, at: str
) -> None:
    db.execute(
        "INSERT INTO answers (key, label, confidence, comment, answered_at) VALUES (?, ?, ?, ?, ?)",
        (key, label, confidence, comment, at),
    )


def check_new_directory(directory: Path) -> None:
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise ConfigError(f"{directory} already exists and is not empty; choose another --out")


@contextmanager
def _staging(directory: Path) -> Iterator[Path]:
    """A sibling folder renamed into place at the end: a failure leaves nothing behind."""
    check_new_directory(directory)
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", dir=directory.parent))
    try:
        yield staging
        os.replace(staging, directory)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def write_study(
    directory: str | Path,
    sample: Sample,
    meta: dict[str, Any],
    populate: Callable[[Study], object] | None = None,
) -> Study:
    """Create the study and let ``populate`` add raters; the directory appears complete."""
    directory = Path(directory)
    meta = {
        **meta,
        "show_product": sample.show_product,
        "show_stars": sample.show_stars,
        "created_at": now(),
        "generator": f"reviewgen {__version__}",
    }
    with _staging(directory) as staging:
        staged = Study(staging)
        with staged.connect() as db:
            db.executescript(SCHEMA)
            db.executemany(
                "INSERT INTO meta (key, value) VALUES (?, ?)",
                [(key, json.dumps(value)) for key, value in meta.items()],
            )
            db.executemany(
                "INSERT INTO items (source, dataset_id, product, stars, text, words) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (i.source, i.dataset_id, i.product, i.stars, i.text, i.words)
                    for i in sample.items
                ],
            )
        os.chmod(staged.db_path, 0o600)  # it holds the raters' access tokens
        if populate is not None:
            populate(staged)
    return Study(directory)
