"""Regenerate the example briefings under docs/examples/ from a fresh demo:
two districts (German and English) and the state portfolio.

    python tools/examples.py
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from clusteratlas.registry.store import RegistryStore
from clusteratlas.reports import render_briefing
from clusteratlas.service.atlas import open_atlas
from clusteratlas.service.briefings import build
from clusteratlas.service.demo import build_demo
from clusteratlas.service.registry import RegistryService
from clusteratlas.store.datadir import DataDir

OUT = Path(__file__).resolve().parents[1] / "docs" / "examples"
EXAMPLES = [("district", "08126", "de", "district-08126-hohenlohekreis-de.pdf"),
            ("district", "08435", "en", "district-08435-bodenseekreis-en.pdf"),
            ("state", None, "de", "state-portfolio-de.pdf")]


def main() -> None:
    data = DataDir(Path(tempfile.mkdtemp(prefix="clusteratlas-examples-")))
    build_demo(data)
    atlas = open_atlas(data)
    registry = RegistryService(RegistryStore(data.registry_url))
    OUT.mkdir(parents=True, exist_ok=True)
    for kind, target, lang, name in EXAMPLES:
        blob = render_briefing(build(atlas, registry, kind, target, lang=lang), "pdf")
        (OUT / name).write_bytes(blob)
        print(f"{OUT / name}: {len(blob):,} bytes")
    registry.store.close()


if __name__ == "__main__":
    main()
