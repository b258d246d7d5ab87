"""Output files are written whole or not at all."""

import pytest

from clusteratlas._files import replacing, write_atomically


def test_all_targets_replaced_together(tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text("old a")
    with replacing([a, b]) as (ta, tb):
        ta.write_text("new a")
        assert a.read_text() == "old a"  # nothing replaced before the block ends
        tb.write_text("new b")
    assert (a.read_text(), b.read_text()) == ("new a", "new b")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "b.csv"]


def test_an_error_leaves_the_targets_and_no_temporary_file(tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text("old a")

    def write_half() -> None:
        with replacing([a, b]) as (ta, _):
            ta.write_text("half")
            raise RuntimeError("the writer failed")

    with pytest.raises(RuntimeError):
        write_half()
    assert a.read_text() == "old a"
    assert not b.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["a.csv"]


def test_write_atomically_keeps_usual_permissions(tmp_path):
    reference = tmp_path / "plain"
    reference.touch()
    out = tmp_path / "briefing.pdf"
    write_atomically(out, b"%PDF")
    assert out.read_bytes() == b"%PDF"
    assert out.stat().st_mode == reference.stat().st_mode  # not private as mkstemp makes it
