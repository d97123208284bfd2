"""Files replaced whole or not at all.

A report, a seal or an auditors' export that a failure cut short (a worker killed, a
disk full, a database error half-way through a CSV) must not be left half-written where
a whole file was, or be taken for a whole one: readers see the old file or the new one.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

# A writer killed mid-write (SIGKILL, the OOM killer) cannot remove its temporary file; a
# later process that completes a write in the same directory removes those untouched for
# this long. Age, not a dead process id: on a shared archive volume the killed writer may
# have run on another host. An hour is far beyond any write of ours (a 100k-person export
# or report: seconds), and a live writer touches its file with every write.
STALE_AFTER_S = 3600.0
# `.NAME.<pid>.<thread id>.tmp`, as `_temporary_for` names them.
_TEMPORARY = re.compile(r"\..+\.\d+\.\d+\.tmp")
# Directories this process has swept, once each: a month's archive writes ~2,000 files into
# one directory, and listing it after every write took 2,002 writes from 0.26-0.69 s to
# 1.9-2.3 s (measured on this machine).
_swept: set[tuple[int, Path]] = set()


@contextmanager
def replacing(path: Path, mode: str = "wb", *, create_only: bool = False, **open_args: Any) -> Iterator[IO[Any]]:
    """Open a temporary file beside `path`; when the block ends without an error, it is
    renamed over `path` (one atomic step on a local disk), else removed. Not fsynced: it
    guards what a reader sees against a failed writer, not the disk against a power cut.

    `create_only`: put it in place only where `path` does not exist yet (a hard link, also
    one atomic step), else raise `FileExistsError` and leave `path` as it is: of writers
    racing to create one file (a key), the first wins and the others read its file."""
    temporary = _temporary_for(path, os.getpid(), threading.get_ident())
    try:
        with temporary.open(mode, **open_args) as handle:
            yield handle
        if create_only:
            os.link(temporary, path)
            temporary.unlink()
        else:
            os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    _remove_stale_temporaries(path.parent)


def _temporary_for(path: Path, pid: int, thread: int) -> Path:
    # Process and thread in the name: two writers of one path must not share a temporary file.
    return path.with_name(f".{path.name}.{pid}.{thread}.tmp")


def _remove_stale_temporaries(directory: Path) -> None:
    """Remove the stale temporaries in `directory`, once per process (see `_swept`)."""
    key = (os.getpid(), directory)
    if key in _swept:
        return
    _swept.add(key)
    cutoff = time.time() - STALE_AFTER_S
    for left in directory.iterdir():
        if not _TEMPORARY.fullmatch(left.name):
            continue
        try:
            if left.stat().st_mtime < cutoff:
                left.unlink()
        except FileNotFoundError:
            pass  # another process sweeping this directory removed it first
