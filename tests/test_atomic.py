"""Atomic writes: a reader sees the old file or the new one, and no temporary file is ever left behind."""

import os
import stat

import pytest

from hrfind.atomic import new_folder, replacing, write_atomic


def test_writes_text_as_utf8_and_bytes_as_they_are(tmp_path):
    write_atomic(tmp_path / "a.txt", "café\n")
    write_atomic(tmp_path / "b.bin", b"\x00\xff")
    assert (tmp_path / "a.txt").read_bytes() == "café\n".encode()
    assert (tmp_path / "b.bin").read_bytes() == b"\x00\xff"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "b.bin"]


def test_replaces_and_keeps_the_mode_of_the_file_it_replaces(tmp_path):
    target = tmp_path / "data.toml"
    target.write_text("old")
    target.chmod(0o640)
    write_atomic(target, "new")
    assert target.read_text() == "new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_a_new_file_gets_the_mode_a_plain_write_would(tmp_path):
    old = os.umask(0o022)
    try:
        write_atomic(tmp_path / "new.toml", "x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.toml").stat().st_mode) == 0o644


@pytest.mark.parametrize("error", [ValueError, KeyboardInterrupt])
def test_an_interrupted_write_leaves_the_old_file_and_no_temporary_file(tmp_path, error):
    target = tmp_path / "data.toml"
    target.write_text("old")
    with pytest.raises(error):
        with replacing(target, "w", encoding="utf-8") as file:
            file.write("half of the new")
            raise error()
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["data.toml"]


def test_the_temporary_file_sits_beside_the_target(tmp_path):
    with replacing(tmp_path / "out.csv", "w", newline="") as file:
        (temp,) = [p for p in tmp_path.iterdir()]
        assert temp.name.startswith(".out.csv.") and temp.name.endswith(".tmp")
        file.write("a\r\nb\r\n")
    assert (tmp_path / "out.csv").read_bytes() == b"a\r\nb\r\n"


def test_a_missing_folder_is_an_error_not_a_stray_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        write_atomic(tmp_path / "nowhere" / "x.toml", "x")
    assert list(tmp_path.iterdir()) == []


def test_a_new_folder_appears_whole_or_not_at_all(tmp_path):
    with new_folder(tmp_path / "package") as folder:
        (folder / "a.csv").write_text("a")
        assert not (tmp_path / "package").exists()
    assert [p.name for p in (tmp_path / "package").iterdir()] == ["a.csv"]
    with pytest.raises(KeyboardInterrupt):
        with new_folder(tmp_path / "other") as folder:
            (folder / "a.csv").write_text("a")
            raise KeyboardInterrupt
    assert sorted(p.name for p in tmp_path.iterdir()) == ["package"]
