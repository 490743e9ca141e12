"""The error every scenario problem raises: file, line, dotted field and a one-line message."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

Path_ = tuple[str | int, ...]


@dataclass
class ScenarioError(Exception):
    """A scenario (or override) that cannot be used, described for a person."""

    file: str | None
    line: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = _one_line(self.file or "<scenario>")
        if self.line is not None:
            where += f":{self.line}"
        field = f" {_one_line(self.field)}:" if self.field else ""
        return f"{where}:{field} {_one_line(self.message)}"


def _one_line(text: str) -> str:
    """Text with line breaks and other unprintable characters escaped, so an error stays one line."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def _did_you_mean(word: str, options: Any) -> str:
    options = [str(o) for o in options]
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    if close:
        return f"; did you mean {close[0]!r}?"
    return f"; expected one of {sorted(options)}" if options and len(options) <= 20 else ""


def file_suggestion(path: Path) -> str:
    """``; did you mean 'scenarios/baseline.yaml'?`` for a missing file with a close name in its folder.

    Args:
        path: The file that does not exist.

    Returns:
        The suggestion, starting with ``; `` (empty if the folder is missing or holds nothing close).
    """
    try:
        names = [p.name for p in path.parent.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file()]
    except OSError:
        return ""
    close = difflib.get_close_matches(path.name, names, n=1, cutoff=0.6)
    if not close and path.suffix not in (".yaml", ".yml"):  # "baseline" for "baseline.yaml"
        close = difflib.get_close_matches(path.name + ".yaml", names, n=1, cutoff=0.6)
    return f"; did you mean {str(path.parent / close[0])!r}?" if close else ""


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    kind = type(value).__name__
    return f"{'an' if kind[0] in 'aeiou' else 'a'} {kind}"


def _dotted(loc: Path_) -> str | None:
    return ".".join(str(p) for p in loc) or None
