"""`replacing`: a file is replaced whole or not at all."""

from __future__ import annotations

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
