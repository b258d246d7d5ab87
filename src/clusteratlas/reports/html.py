"""A briefing as one self-contained HTML file (inline CSS and SVG charts)."""

from __future__ import annotations

from jinja2 import Environment, select_autoescape
from markupsafe import Markup

from clusteratlas.reports.charts import render
from clusteratlas.service.briefings import Briefing

__all__ = ["to_html"]

_TEMPLATE = """<!doctype html>
<html lang="{{ b.lang }}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ b.title }}</title>
<style>
body { font-family: "DejaVu Sans", system-ui, sans-serif; max-width: 52rem; margin: 1.5rem auto;
  padding: 0 1rem; color: #1b1b1b; line-height: 1.45; }
h1 { color: #8a3b00; margin-bottom: .2rem; } .sub { color: #444; margin-top: 0; }
.synthetic { background: #fff3cd; padding: .4rem .8rem; font-weight: bold; }
.watermark { position: fixed; top: 45%; left: 0; right: 0; text-align: center; font-size: 3rem;
  font-weight: bold; color: rgba(217, 128, 26, .12); transform: rotate(-30deg); pointer-events: none; }
table { border-collapse: collapse; margin: .4rem 0 1rem; font-size: .85rem; }
th, td { border-bottom: 1px solid #ccc; padding: .2rem .5rem; text-align: left; vertical-align: top; }
dl { display: grid; grid-template-columns: max-content auto; gap: .1rem 1rem; }
dt { color: #555; } dd { margin: 0; font-weight: bold; }
.note { font-size: .8rem; color: #555; } figure { margin: .5rem 0; } figure svg { width: 100%; height: auto; }
@media print { .watermark { position: fixed; } }
</style></head><body>
{% if b.synthetic %}<div class="watermark" aria-hidden="true">{{ b.synthetic_notice.split(' – ')[0] }}</div>{% endif %}
<h1>{{ b.title }}</h1><p class="sub">{{ b.subtitle }}</p>
{% if b.synthetic %}<p class="synthetic" role="note">{{ b.synthetic_notice }}</p>{% endif %}
{% for block in b.blocks %}
{% if block.kind == 'heading' %}<h2>{{ block.text }}</h2>
{% elif block.kind == 'text' %}<p>{{ block.text }}</p>
{% elif block.kind == 'note' %}<p class="note">{{ block.text }}</p>
{% elif block.kind == 'figures' %}<dl>{% for k, v in block.figures %}<dt>{{ k }}</dt><dd>{{ v }}</dd>{% endfor %}</dl>
{% elif block.kind == 'table' %}{% if block.text %}<h3>{{ block.text }}</h3>{% endif %}<table><thead><tr>{% for c in block.columns %}<th scope="col">{{ c }}</th>{% endfor %}</tr></thead><tbody>{% for row in block.rows %}<tr>{% for c in row %}<td>{{ c }}</td>{% endfor %}</tr>{% endfor %}</tbody></table>
{% elif block.kind == 'chart' %}<figure>{{ svgs[loop.index0] }}<figcaption class="note">{{ block.chart.title }}</figcaption></figure>
{% endif %}
{% endfor %}
</body></html>
"""


def to_html(b: Briefing) -> bytes:
    env = Environment(autoescape=select_autoescape(default=True))
    svgs = {}
    for n, block in enumerate(b.blocks):
        if block.kind == "chart" and block.chart is not None:
            text = render(block.chart, "svg").decode("utf-8")
            svgs[n] = Markup(text[text.index("<svg"):])  # drop the XML prolog
    return env.from_string(_TEMPLATE).render(b=b, svgs=svgs).encode("utf-8")
