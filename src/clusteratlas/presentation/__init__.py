"""How the fronts draw: map colours and classes (:mod:`.colours`), SVG maps
(:mod:`.svgmap`) and small SVG charts (:mod:`.charts`).

Shared by the web pages, the JSON map and the briefing renderers; the service layer
never imports it (it answers with numbers and statuses, the fronts colour them).
"""
