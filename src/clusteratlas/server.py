"""The application factory: one FastAPI app with the JSON API, the HTML pages, the
static files, the error shape, security headers and request limits."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator, MutableMapping
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

import clusteratlas
from clusteratlas.api.alignment_routes import router as alignment_router
from clusteratlas.api.registry_routes import router as registry_router
from clusteratlas.api.routes import router as api_router
from clusteratlas.errors import ClusteratlasError, StoreError
from clusteratlas.http.cache import ResponseCache
from clusteratlas.http.deps import follow_registry
from clusteratlas.http.errors import install_error_handlers
from clusteratlas.http.limits import BodyLimit
from clusteratlas.http.provenance import SyntheticHeader
from clusteratlas.http.security import SecurityHeaders
from clusteratlas.presentation.svgmap import svg_regions
from clusteratlas.registry.store import RegistryStore
from clusteratlas.service.atlas import Atlas, open_atlas
from clusteratlas.service.registry import RegistryService
from clusteratlas.service.sections import initiative_categories
from clusteratlas.store.datadir import DataDir
from clusteratlas.web.formatting import install_filters
from clusteratlas.web.i18n import dataset_text, error_detail, translator, variant
from clusteratlas.web.registry_views import router as registry_web_router
from clusteratlas.web.views import prepare
from clusteratlas.web.views import router as web_router

__all__ = ["app_from_settings", "create_app"]

_log = logging.getLogger("clusteratlas.server")


def create_app(data_dir: DataDir | None = None, *, atlas: Atlas | None = None,
               registry_url: str | None = None) -> FastAPI:
    """Build the web application over a data directory (or a ready :class:`Atlas`).

    The atlas snapshot is read once at start-up; its list of initiatives follows the
    registry: every request first asks whether anything was committed to the registry
    since the snapshot was read (SQLite's data version, :meth:`RegistryStore.data_version`,
    a few microseconds on the event loop; on other databases always yes), and only then
    compares the registry's state token (:meth:`RegistryStore.state_token`, one small
    query) with the snapshot's and re-reads the initiatives when another process (a CLI
    import, a second server) changed them.  Either way a change is seen by the next
    request.  The statistics database is not held open, so imports into the same
    data directory are never blocked by a running server.
    ``registry_url`` overrides the data directory's registry (tests, PostgreSQL).
    """
    if atlas is None and data_dir is None:
        raise ValueError("create_app needs a data_dir or an atlas")
    if registry_url is None:
        if data_dir is None:
            raise ValueError("create_app needs a data_dir or a registry_url")
        registry_url = data_dir.registry_url

    store = RegistryStore(registry_url)

    lock = threading.Lock()
    # the registry state the snapshot was read at: the state token and SQLite's data
    # version (None where the registry cannot tell it)
    seen: list[Any] = []

    def start_registry(app: FastAPI) -> None:
        store.migrate()
        current = app.state.atlas
        app.state.registry = RegistryService(
            store, regions=list(current.regions),
            categories=initiative_categories(current.categories))

        def changed() -> None:
            with lock:
                # the version and the token first: a change between the reads is seen
                # next time
                version = store.data_version()
                token = store.state_token()
                app.state.atlas = app.state.atlas.with_initiatives(store.list())
                seen[:] = [token, version]

        def fresh() -> bool:
            """Whether the snapshot is known to be at the registry's state without a
            query: no commit to the SQLite file since it was read (a few microseconds,
            fit for the event loop)."""
            return bool(seen) and seen[1] is not None and store.data_version() == seen[1]

        def follow() -> None:
            try:
                version = store.data_version()
                if seen and version is not None and version == seen[1]:
                    return
                token = store.state_token()
                if not seen or token != seen[0]:
                    changed()
                    return
                with lock:  # a commit that changed no initiative (e.g. a session)
                    if seen and seen[0] == token:
                        seen[1] = version
            except StoreError as exc:
                # the pages keep the initiatives last read; the registry's own routes
                # report the trouble (503) where they need the database
                _log.warning("registry state not readable, snapshot kept: %s", exc)

        app.state.registry_changed = changed
        app.state.registry_follow = follow
        app.state.registry_fresh = fresh
        changed()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if getattr(app.state, "atlas", None) is None:
            assert data_dir is not None
            app.state.atlas = open_atlas(data_dir)
        start_registry(app)
        for name in app.state.templates.env.list_templates(extensions=["html"]):
            app.state.templates.env.get_template(name)  # compiled once, before a visitor
        await _route_once(app)
        try:
            prepare(app.state.atlas)
        except (ClusteratlasError, ValueError) as exc:  # the map page will say what is wrong
            _log.warning("map not drawn at start-up: %s", exc)
        try:
            yield
        finally:
            store.close()

    app = FastAPI(
        title="Clusteratlas",
        version=clusteratlas.__version__,
        description="Regional cluster agglomerations, cluster initiatives and the link between them.",
        lifespan=lifespan,
        # Swagger UI and ReDoc load scripts from a CDN and run inline script, against
        # the Content-Security-Policy; the schema stays at /openapi.json.
        docs_url=None, redoc_url=None,
        # before every route: the snapshot's initiatives follow the registry's state
        dependencies=[Depends(follow_registry)],
    )
    if atlas is not None:
        app.state.atlas = atlas
    web_root = Path(str(resources.files("clusteratlas.web")))
    app.state.templates = Jinja2Templates(directory=str(web_root / "templates"))
    install_filters(app.state.templates.env)
    app.state.translate = translator
    app.state.templates.env.globals.update(variant=variant, error_detail=error_detail,
                                           dataset_text=dataset_text, svg_regions=svg_regions)
    app.mount("/static", StaticFiles(directory=str(web_root / "static")), name="static")
    app.include_router(api_router)
    app.include_router(registry_router)
    app.include_router(alignment_router)
    app.include_router(web_router)
    app.include_router(registry_web_router)
    install_error_handlers(app)

    # added last = outermost: a body refused before any route still gets the headers
    app.add_middleware(SyntheticHeader)
    app.add_middleware(BodyLimit)
    app.add_middleware(SecurityHeaders)
    # outermost: a kept answer is replayed with every header the layers inside added
    app.add_middleware(ResponseCache, state=_data_state, known=_known_state)
    return app


async def _route_once(app: FastAPI) -> None:
    """One request through the application at start-up, so that what FastAPI builds on
    the first request (its route tables with every parameter's validator: a third of a
    second) is not built while a visitor waits.  A path no route answers walks them all."""
    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: MutableMapping[str, Any]) -> None:
        pass

    path = "/-/start-up"
    await app({"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
               "method": "GET", "scheme": "http", "path": path, "raw_path": path.encode(),
               "query_string": b"", "root_path": "", "headers": [],
               "client": ("127.0.0.1", 0), "server": ("127.0.0.1", 80)}, receive, send)


def _data_state(app: FastAPI) -> object:
    """The data state answers are kept for: the atlas snapshot, which the server
    replaces whenever the registry's state changes (brought up to date here first)."""
    follow = getattr(app.state, "registry_follow", None)
    if follow is not None:
        follow()
    return getattr(app.state, "atlas", None)


def _known_state(app: FastAPI) -> object | None:
    """The data state when the event loop can tell it without a query (no commit to the
    registry since the snapshot was read); None when :func:`_data_state` must ask."""
    fresh = getattr(app.state, "registry_fresh", None)
    if fresh is not None and fresh():
        return getattr(app.state, "atlas", None)
    return None


def app_from_settings() -> FastAPI:
    """The application of one worker process of ``clusteratlas serve --workers N``
    (uvicorn's factory): over the data directory of the settings, which ``serve`` passes
    on in ``CLUSTERATLAS_DATA_DIR`` (and ``CLUSTERATLAS_REGISTRY_URL``, ``CLUSTERATLAS_SCOPE``).  The atlas is
    read at start-up from the indicator table the data directory keeps
    (:mod:`clusteratlas.service.snapshot`), so a worker starts in about a second."""
    from clusteratlas._config import load_settings
    from clusteratlas.service.mapping import MappingOptions

    settings = load_settings()
    directory = settings.directory()
    options = MappingOptions(min_employment=settings.min_employment)
    return create_app(directory, atlas=open_atlas(directory, options, scope=settings.scope))
