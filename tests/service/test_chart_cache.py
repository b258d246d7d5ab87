"""Drawn briefing charts kept in the cache folder (clusteratlas.reports.charts.render):
the same spec reads the kept picture back, another spec is drawn, an opaque picture is
kept without its alpha channel, and a folder that cannot be written to only costs time."""

from __future__ import annotations

import io

import pytest

from clusteratlas.reports import charts
from clusteratlas.service.briefings import Chart

pytest.importorskip("matplotlib")
Image = pytest.importorskip("PIL.Image")


def _bars(title: str = "Beschäftigte") -> Chart:
    return Chart("bars", title, {"labels": ["A", "B"], "values": [3.0, 5.5], "lang": "de"})


def test_a_kept_chart_is_read_back_and_another_is_drawn(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    first = charts.render(_bars(), "png")
    kept = list((tmp_path / "clusteratlas" / "charts").glob("chart-*.png"))
    assert len(kept) == 1
    assert kept[0].read_bytes() == first
    with Image.open(io.BytesIO(first)) as picture:
        assert picture.mode == "RGB"  # opaque: no alpha channel to embed as a mask
    drawn: list[str] = []
    draw = charts._draw

    def counting(chart, fmt):
        drawn.append(chart.title)
        return draw(chart, fmt)

    monkeypatch.setattr(charts, "_draw", counting)
    assert charts.render(_bars(), "png") == first
    assert drawn == []  # read back, not drawn
    other = charts.render(_bars("Andere"), "png")
    assert drawn == ["Andere"]
    assert other != first
    assert len(list((tmp_path / "clusteratlas" / "charts").glob("chart-*.png"))) == 2


def test_an_unwritable_cache_folder_still_draws(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))  # a file: no folder below it
    png = charts.render(_bars(), "png")
    assert png.startswith(b"\x89PNG")
