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

# A writer killed mid-write (SIGKILL, the OOM killer) cannot remove its temporary file; the
# next writer of the same path removes those untouched for this long. Age, not a dead
# process id: on a shared archive volume the killed writer may have run on another host.
# An hour is far beyond any write of ours (a 100k-person export or report: seconds), and a
# live writer touches its file with every write.
STALE_AFTER_S = 3600.0


@contextmanager
def replacing(path: Path, mode: str = "wb", **open_args: Any) -> Iterator[IO[Any]]:
    """Open a temporary file beside `path`; when the block ends without an error, it is
    renamed over `path` (one atomic step on a local disk), else removed. Not fsynced: it
    guards what a reader sees against a failed writer, not the disk against a power cut."""
    # Process and thread in the name: two writers of one path must not share a temporary file.
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        with temporary.open(mode, **open_args) as handle:
            yield handle
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    _remove_stale_temporaries(path)


def _remove_stale_temporaries(path: Path) -> None:
    cutoff = time.time() - STALE_AFTER_S
    # Process and thread ids exactly: `.a.pdf.*.tmp` would also match `a.pdf.bak`'s.
    ours = re.compile(rf"\.{re.escape(path.name)}\.\d+\.\d+\.tmp")
    for left in path.parent.iterdir():
        if not ours.fullmatch(left.name):
            continue
        try:
            if left.stat().st_mtime < cutoff:
                left.unlink()
        except FileNotFoundError:
            pass  # another writer of this path removed it first
