"""The one writer of finished folders: written under a hidden temporary name, then renamed into place.

A folder whose name does not start with a dot is complete: a crash or Ctrl-C leaves at most a
``.tmp-*`` folder, which nothing reads. Existing folders are never overwritten; when the name is
taken, ``-2``, ``-3``, ... is appended. Every file and folder is flushed to disk (``fsync``) before
the rename and the parent folder after it, so a published folder survives a power cut whole.

Used for the results folder of a run (:mod:`sahel_sim.runs.results`, also by a sweep's
``export-run``) and the hindcast folder. Single files that are replaced in place (the sweep folder's
part files) have their own writer in :mod:`sahel_sim.analysis.sweep.store`.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

#: Most names tried (``base``, ``base-2``, ...) before giving up.
MAX_SUFFIX = 10_000


def publish_folder(parent: Path | str, base: str, write: Callable[[Path], None]) -> Path:
    """Create a new folder ``parent/base`` (or ``base-N``) holding what ``write`` puts in it, atomically.

    Args:
        parent: Folder that receives the new folder (created if missing).
        base: Name of the new folder; ``-2``, ``-3``, ... is appended if it exists.
        write: Called with an empty hidden temporary folder in ``parent`` to fill.

    Returns:
        Path of the finished folder.

    Raises:
        OSError: If the folder cannot be written or renamed (nothing is left behind then).
        Exception: Whatever ``write`` raises (nothing is left behind then).
    """
    parent = Path(parent)
    parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=parent))
    try:
        write(tmp)
        _make_readable(tmp)
        _sync_tree(tmp)
        target = _rename_to_free_name(tmp, parent, base)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _sync(parent)
    return target


def _make_readable(folder: Path) -> None:
    """Give the folder the permissions a plain mkdir would (mkdtemp makes it private)."""
    umask = os.umask(0)
    os.umask(umask)
    folder.chmod(0o777 & ~umask)


def _sync(path: Path) -> None:
    """Flush one file or folder to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sync_tree(folder: Path) -> None:
    """Flush every file, then every folder (deepest first), of a tree to disk."""
    for root, dirs, files in os.walk(folder, topdown=False):
        for name in files:
            _sync(Path(root) / name)
        for name in dirs:
            _sync(Path(root) / name)
    _sync(folder)


def _rename_to_free_name(tmp: Path, parent: Path, base: str) -> Path:
    """Rename ``tmp`` to the first free name ``base``, ``base-2``, ... (atomic on one file system)."""
    for n in range(1, MAX_SUFFIX):
        target = parent / (base if n == 1 else f"{base}-{n}")
        if target.exists():
            continue
        try:
            os.rename(tmp, target)
        except OSError:
            if target.exists():  # lost a race with another writer: try the next name
                continue
            raise
        return target
    raise RuntimeError(f"no free folder name for {base} in {parent}")
