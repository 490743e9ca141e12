"""The one writer of finished folders: whole or nothing, never overwriting, flushed to disk."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import sahel_sim.runs.atomic as atomic
from sahel_sim.runs.atomic import publish_folder


def fill(tmp: Path) -> None:
    (tmp / "a.txt").write_text("a")
    (tmp / "sub").mkdir()
    (tmp / "sub" / "b.txt").write_text("b")


def test_a_taken_name_gets_a_suffix_and_nothing_is_overwritten(tmp_path):
    first = publish_folder(tmp_path / "out", "run", fill)
    (first / "a.txt").write_text("mine")
    second = publish_folder(tmp_path / "out", "run", fill)
    third = publish_folder(tmp_path / "out", "run", fill)
    assert [first.name, second.name, third.name] == ["run", "run-2", "run-3"]
    assert (first / "a.txt").read_text() == "mine"
    assert (third / "sub" / "b.txt").read_text() == "b"
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["run", "run-2", "run-3"]


def test_a_failing_writer_leaves_nothing(tmp_path):
    def broken(tmp: Path) -> None:
        fill(tmp)
        raise ValueError("half written")

    with pytest.raises(ValueError):
        publish_folder(tmp_path, "run", broken)
    assert list(tmp_path.iterdir()) == []


def test_every_file_and_folder_is_flushed_before_the_rename_and_the_parent_after(tmp_path, monkeypatch):
    events: list[str] = []
    real_fsync, real_rename = os.fsync, os.rename

    def fsync(fd: int) -> None:
        events.append("fsync " + Path(os.readlink(f"/proc/self/fd/{fd}")).name)
        real_fsync(fd)

    def rename(src, dst) -> None:
        events.append("rename")
        real_rename(src, dst)

    monkeypatch.setattr(atomic.os, "fsync", fsync)
    monkeypatch.setattr(atomic.os, "rename", rename)
    parent = tmp_path / "out"
    folder = publish_folder(parent, "run", fill)
    at = events.index("rename")
    before = {e.removeprefix("fsync ") for e in events[:at]}
    assert {"a.txt", "b.txt", "sub"} <= before and any(name.startswith(".tmp-") for name in before)
    assert events[at + 1 :] == [f"fsync {parent.name}"]
    assert folder == parent / "run"
