"""Shipped data sets of real diplomatic posts (``data/posts/<name>.csv``), read into schema objects.

Every row must name its source; a bad row stops the load with one line naming the file, the row and
the column (:class:`PostDataError`).
"""

from __future__ import annotations

import csv
import functools
from importlib import resources
from pathlib import Path

from pydantic import ValidationError

#: Columns every post data file must have.
COLUMNS = (
    "post_id",
    "sending",
    "sending_iso2",
    "kind",
    "city",
    "host_iso2",
    "lat",
    "lon",
    "covers",
    "troops_in_minusma",
    "closed_or_suspended",
    "source",
)
TROOPS = {"yes": True, "no": False, "unknown": False}  # unknown counts as no (data/posts/SOURCES.md)


class PostDataError(ValueError):
    """A post data file that cannot be used; the message names the file, row and column."""


def dataset_path(name: str) -> Path:
    """Path of a shipped data set, e.g. ``posts_2022``."""
    return Path(str(resources.files("sahel_sim") / "data" / "posts" / f"{name}.csv"))


@functools.cache
def load_dataset(name: str) -> tuple:
    """The posts of a shipped data set (cached; the files do not change while running).

    Args:
        name: Data set name, e.g. ``posts_2022``.

    Returns:
        Tuple of :class:`~sahel_sim.scenario.schema.DiplomaticPost`.

    Raises:
        PostDataError: The file is missing or a row is invalid.

    """
    return load_csv(dataset_path(name))


def load_csv(path: str | Path) -> tuple:
    """Read and validate a post data file.

    Args:
        path: A CSV file with :data:`COLUMNS`.

    Returns:
        Tuple of :class:`~sahel_sim.scenario.schema.DiplomaticPost`, one per row, in file order.

    Raises:
        PostDataError: The file is missing, a column is missing, or a row is invalid (no source,
            bad code, coordinates off the map, unknown ``troops_in_minusma``, duplicate id).

    """
    from sahel_sim.scenario.schema import DiplomaticPost

    path = Path(path)
    try:
        with path.open(newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise PostDataError(f"{path.name}: missing column(s) {', '.join(missing)}")
            rows = list(reader)
    except OSError as exc:
        raise PostDataError(f"{path}: cannot read post data ({exc.strerror or exc})") from None
    posts, seen = [], set()
    for line, row in enumerate(rows, start=2):  # line 1 is the header

        def bad(column: str, why: str, line: int = line, row: dict = row) -> PostDataError:
            return PostDataError(f"{path.name} line {line} ({row.get('post_id') or '?'}): {column}: {why}")

        if not (row.get("source") or "").strip():
            raise bad("source", "every post needs a source")
        if (row["source"] or "").strip().upper().startswith("UNVERIFIED"):
            raise bad("source", "unverified rows do not belong in a shipped data set")
        if row["post_id"] in seen:
            raise bad("post_id", "duplicate id")
        seen.add(row["post_id"])
        troops = (row["troops_in_minusma"] or "").strip().lower()
        if troops not in TROOPS:
            raise bad("troops_in_minusma", f"{row['troops_in_minusma']!r} is not one of yes, no, unknown")
        data = {
            "name": f"{row['sending']} {row['kind']} {row['city']}",
            "sending_country": row["sending"],
            "sending_code": row["sending_iso2"],
            "kind": row["kind"],
            "lat": row["lat"],
            "lon": row["lon"],
            "covers": [c.strip() for c in (row["covers"] or "").split(";") if c.strip()],
            "troop_contributor": TROOPS[troops],
            "source": row["source"].strip(),
        }
        try:
            posts.append(DiplomaticPost.model_validate(data))
        except ValidationError as exc:
            err = exc.errors(include_url=False)[0]
            field = str(err["loc"][0]) if err["loc"] else "?"
            column = {"sending_code": "sending_iso2", "troop_contributor": "troops_in_minusma"}.get(field, field)
            raise bad(column, err["msg"]) from None
    return tuple(posts)
