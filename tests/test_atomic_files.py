"""`replacing`: a file is replaced whole or not at all."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from wecomply.atomic_files import replacing


def test_a_write_cut_short_leaves_the_previous_file_and_no_temporary_file(tmp_path: Path) -> None:
    path = tmp_path / "manifest.json"
    path.write_bytes(b'{"files": ["old"]}')
    with pytest.raises(OSError, match="No space left"):
        with replacing(path) as handle:
            handle.write(b'{"files": ["ne')
            handle.flush()
            raise OSError(28, "No space left on device")
    assert path.read_bytes() == b'{"files": ["old"]}'
    assert [p.name for p in tmp_path.iterdir()] == ["manifest.json"]


def test_a_write_cut_short_where_there_was_no_file_leaves_none(tmp_path: Path) -> None:
    path = tmp_path / "evidence.csv"
    with pytest.raises(RuntimeError):
        with replacing(path, "w", encoding="utf-8") as handle:
            handle.write("record_type,time_shanghai\n")
            raise RuntimeError("the database went away")
    assert list(tmp_path.iterdir()) == []


def test_a_completed_write_replaces_the_file(tmp_path: Path) -> None:
    path = tmp_path / "evidence.csv"
    path.write_text("old\n", encoding="utf-8")
    with replacing(path, "w", encoding="utf-8-sig", newline="") as handle:
        handle.write("新\r\n")
    assert path.read_bytes() == "\ufeff新\r\n".encode()
    assert [p.name for p in tmp_path.iterdir()] == ["evidence.csv"]


def test_create_only_puts_a_new_file_in_place(tmp_path: Path) -> None:
    path = tmp_path / "fernet.key"
    with replacing(path, "w", create_only=True, encoding="ascii") as handle:
        handle.write("first")
    assert path.read_text(encoding="ascii") == "first"
    assert [p.name for p in tmp_path.iterdir()] == ["fernet.key"]


def test_create_only_never_replaces_an_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "fernet.key"
    path.write_text("first", encoding="ascii")
    with pytest.raises(FileExistsError):
        with replacing(path, "w", create_only=True, encoding="ascii") as handle:
            handle.write("second")
    assert path.read_text(encoding="ascii") == "first"
    assert [p.name for p in tmp_path.iterdir()] == ["fernet.key"], "no temporary file left"


def test_two_threads_writing_one_path_each_write_a_whole_file(tmp_path: Path) -> None:
    path = tmp_path / "index.json"
    first_half_written, second_done = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def slow_writer() -> None:
        try:
            with replacing(path) as handle:
                handle.write(b'{"by": "slow", ')
                handle.flush()
                first_half_written.set()
                second_done.wait(10)
                handle.write(b'"whole": true}')
        except BaseException as exc:  # noqa: BLE001 - asserted below
            errors.append(exc)

    thread = threading.Thread(target=slow_writer)
    thread.start()
    assert first_half_written.wait(10)
    with replacing(path) as handle:  # shares the slow writer's temporary file if named by process only
        handle.write(b'{"by": "fast", "whole": true}')
    assert path.read_bytes() == b'{"by": "fast", "whole": true}'
    second_done.set()
    thread.join(10)
    assert errors == []
    assert path.read_bytes() == b'{"by": "slow", "whole": true}'
    assert [p.name for p in tmp_path.iterdir()] == ["index.json"]


def test_a_completed_write_removes_what_killed_writers_left_in_its_directory(tmp_path: Path) -> None:
    import os
    import time

    from wecomply.atomic_files import STALE_AFTER_S, _temporary_for

    path = tmp_path / "2026-03 [月报].pdf"  # brackets: the name is matched literally, not as a pattern
    # Named as `replacing` names its own, so a change of that name the sweep misses fails here.
    killed = _temporary_for(path, 4242, 140001)
    killed_elsewhere = _temporary_for(tmp_path / "dept-2.html", 4242, 140002)  # another path's, same directory
    live = _temporary_for(path, 4343, 140002)  # a concurrent writer, still writing
    not_ours = tmp_path / ".2026-03 [月报].pdf.bak.tmp"  # no process and thread ids
    for left in (killed, killed_elsewhere, live, not_ours):
        left.write_bytes(b"%PDF-1.7 cut short")
    hours_ago = time.time() - STALE_AFTER_S - 60
    for left in (killed, killed_elsewhere, not_ours):
        os.utime(left, (hours_ago, hours_ago))

    with replacing(path) as handle:
        handle.write(b"%PDF-1.7 whole")

    assert path.read_bytes() == b"%PDF-1.7 whole"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([path.name, live.name, not_ours.name])


def test_a_directory_is_swept_once_per_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A month's archive writes ~2,000 files into one directory: listing it after each
    write made those writes quadratic."""
    listed: list[Path] = []
    real_iterdir = Path.iterdir
    monkeypatch.setattr(Path, "iterdir", lambda self: listed.append(self) or real_iterdir(self))
    for i in range(3):
        with replacing(tmp_path / f"dept-{i}.html") as handle:
            handle.write(b"<html></html>")
    (tmp_path / "sub").mkdir()
    with replacing(tmp_path / "sub" / "index.json") as handle:
        handle.write(b"{}")
    assert listed == [tmp_path, tmp_path / "sub"]
