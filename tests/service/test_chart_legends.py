"""Briefing charts keep their legends whole and clear of the axis labels (seen in the
tour: the coverage grid's legend ran into the district labels and past both margins, the
portfolio's 'landesweites Netzwerk, hier kein Cluster' was cut at the figure's edge)."""

from __future__ import annotations

import io

import pytest

from clusteratlas.i18n import text
from clusteratlas.presentation.colours import STATUS_COLOURS
from clusteratlas.reports.charts import _figure, render
from clusteratlas.service.briefings import Chart

pytest.importorskip("matplotlib")


def _grid() -> Chart:
    columns = [f"K{j}" for j in range(44)]
    rows = [f"Kategorie mit langem Namen {i}" for i in range(16)]
    statuses = [[list(STATUS_COLOURS)[(i + j) % len(STATUS_COLOURS)] for j in range(44)]
                for i in range(16)]
    return Chart("grid", "Abdeckung", {"rows": rows, "columns": columns,
                                       "statuses": statuses,
                                       "legend": {k: text(k, "de") for k in STATUS_COLOURS}},
                 width=7.0, height=3.6)


def test_grid_legend_is_below_the_labels_and_inside_the_picture():
    fig = _figure(_grid())
    renderer = fig.canvas.get_renderer()
    fig.canvas.draw()
    legend = fig.legends[0].get_window_extent(renderer)
    ax = fig.axes[0]
    labels = [t.get_window_extent(renderer) for t in ax.get_xticklabels() if t.get_text()]
    assert labels
    assert all(legend.y1 <= box.y0 + 0.5 for box in labels)  # wholly below every label
    picture = fig.get_tightbbox(renderer).transformed(fig.dpi_scale_trans)
    assert legend.x0 >= picture.x0 - 1
    assert legend.x1 <= picture.x1 + 1


def test_saved_picture_holds_every_legend_label():
    from PIL import Image

    chart = _grid()
    png = Image.open(io.BytesIO(render(chart, "png")))
    fig = _figure(chart)
    fig.canvas.draw()
    tight = fig.get_tightbbox(fig.canvas.get_renderer())
    # the saved picture is the tight box of everything drawn (plus the pad), not the
    # nominal figure that cut long legend labels off
    assert png.size[0] >= tight.width * 150 - 3
    assert png.size[1] >= tight.height * 150 - 3
