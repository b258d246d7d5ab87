"""Commands that run the web application: ``serve`` and ``get`` (both through the app
factory in :mod:`clusteratlas.server`, never a route module)."""

from __future__ import annotations

import errno
import os
import socket
from typing import Annotated, Any, Optional

import typer

from clusteratlas.cli.app import Command, DataDirOption, app, settings_for, settings_options
from clusteratlas.errors import ConfigError

__all__ = ["default_workers", "get", "listen", "serve", "start_workers", "stop_workers"]


def _free_port(host: str, after: int) -> int | None:
    """The first port above ``after`` that ``host`` can listen on, if any of the next 20."""
    for port in range(after + 1, min(after + 21, 65536)):
        try:
            listen(host, port).close()
        except ConfigError:
            continue
        return port
    return None


def listen(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port``, or one line saying why not.

    Binding before anything is printed (and handing this very socket to the server)
    makes a busy port the first and only thing the user sees."""
    try:
        info = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
        family, kind, proto, _, address = info[0]
    except (socket.gaierror, UnicodeError, OverflowError) as exc:
        raise ConfigError(f"cannot listen on {host}:{port}: {exc}; check --host and --port") \
            from None
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            free = _free_port(host, port)
            hint = f", e.g. --port {free}" if free else ""
            raise ConfigError(f"port {port} on {host} is in use by another program; choose "
                              f"another with --port{hint}") from None
        raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror}; choose another "
                          "port with --port or address with --host") from None
    return sock


def default_workers() -> int:
    """One worker process per core (at most 8): each answers its requests on its own
    core; more would only compete for them."""
    return max(1, min(os.cpu_count() or 1, 8))


def start_workers(n: int, sock: socket.socket, env: dict[str, str],
                  options: dict[str, Any]) -> list[Any]:
    """``n`` more server processes accepting on ``sock`` (the kernel shares the
    connections out among all processes listening on it)."""
    import multiprocessing

    spawn = multiprocessing.get_context("spawn")
    workers = [spawn.Process(target=_worker, args=(sock, env, options), daemon=True)
               for _ in range(n)]
    for w in workers:
        w.start()
    return workers


def stop_workers(workers: list[Any]) -> None:
    for w in workers:
        w.terminate()  # SIGTERM: uvicorn finishes the requests in flight
    for w in workers:
        w.join(timeout=20)
        if w.is_alive():
            w.kill()


def _end_with_parent() -> None:
    """Ask Linux to stop this process when the one that started it ends, however it
    ends (uvicorn ends ``serve`` by re-raising the signal that stopped it, so no
    clean-up code of ours runs there).  Elsewhere :func:`stop_workers` does it."""
    import ctypes
    import signal

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() == 1:  # the parent ended before the request was made
        os._exit(0)


def _worker(sock: socket.socket, env: dict[str, str], options: dict[str, Any]) -> None:
    """One further server process (:func:`start_workers`)."""
    import uvicorn

    _end_with_parent()
    os.environ.update(env)
    config = uvicorn.Config("clusteratlas.server:app_from_settings", factory=True, **options)
    uvicorn.Server(config).run(sockets=[sock])


def _workers(value: str) -> int:
    if not (value.isdigit() and 1 <= int(value) <= 64):
        raise typer.BadParameter(f"{value!r} is not a number of workers (1 to 64)")
    return int(value)


def _port(value: str) -> int:
    if not (value.isdigit() and 1 <= int(value) <= 65535):
        raise typer.BadParameter(f"{value!r} is not a port number (1 to 65535)")
    return int(value)


@app.command(cls=Command)
def serve(
    data_dir: DataDirOption = None,
    host: Annotated[Optional[str], typer.Option(metavar="ADDRESS", help=  # noqa: UP045
                    "Address to listen on (default: the setting host, 127.0.0.1).")] = None,
    port: Annotated[Optional[int], typer.Option(metavar="PORT", parser=_port, help=  # noqa: UP045
                    "Port (default: the setting port, 8000).")] = None,
    workers: Annotated[Optional[int], typer.Option(  # noqa: UP045
        metavar="N", parser=_workers,
        help="Worker processes answering requests (default: one per core, at most 8). "
             "Each reads the atlas from the indicator table stored in the data directory; "
             "the sign-in limit counts per worker.")] = None,
) -> None:
    """Start the web atlas (builds the demo first if the store is empty)."""
    settings = settings_for(data_dir, host=host, port=port)
    n_workers = workers or default_workers()
    sock = listen(settings.host, settings.port)
    try:
        import uvicorn

        from clusteratlas.server import create_app
        from clusteratlas.service.atlas import open_atlas
        from clusteratlas.service.setup import ensure_store

        store = settings.directory()
        if ensure_store(store):
            typer.echo(f"Built the demo in {settings.data_dir} (synthetic demo data).")
        # read here also with several workers: a broken store fails once, in one line,
        # and the indicator table is stored before the workers read it
        atlas = open_atlas(store, settings_options(settings), scope=settings.scope)
        bound = sock.getsockname()[1]
        host_part = f"[{settings.host}]" if ":" in settings.host else settings.host
        typer.echo(f"Clusteratlas is running at http://{host_part}:{bound}/  (Ctrl+C stops it)")
        # behind a TLS proxy the app must see the client's scheme and address (Secure
        # cookies, the sign-in limit per client): only from the proxies named here
        options: dict[str, Any] = {"log_level": "warning", "proxy_headers": True,
                                   "forwarded_allow_ips": settings.forwarded_allow_ips}
        # the workers beyond this process are fresh interpreters (spawned): they find
        # the data directory, the registry and the scope in the environment, as the
        # settings would, and read the indicator table stored just now
        env = {"CLUSTERATLAS_DATA_DIR": str(settings.data_dir),
               "CLUSTERATLAS_MIN_EMPLOYMENT": str(settings.min_employment)}
        if settings.registry_url:
            env["CLUSTERATLAS_REGISTRY_URL"] = settings.registry_url
        if settings.scope:
            env["CLUSTERATLAS_SCOPE"] = settings.scope
        others = start_workers(n_workers - 1, sock, env, options)
        # this process answers at once; the others join on the same socket when ready
        server = uvicorn.Server(uvicorn.Config(create_app(store, atlas=atlas), **options))
        try:
            server.run(sockets=[sock])
        finally:
            stop_workers(others)
    finally:
        sock.close()


@app.command(cls=Command)
def get(
    path: Annotated[str, typer.Argument(metavar="PATH", help="API path, e.g. "
                                        "/api/regions/08435")],
    data_dir: DataDirOption = None,
) -> None:
    """Run one API request in-process and print the JSON (for scripts)."""
    from fastapi.testclient import TestClient

    from clusteratlas.server import create_app
    from clusteratlas.service.atlas import open_atlas

    settings = settings_for(data_dir)
    directory = settings.directory()
    atlas = open_atlas(directory, settings_options(settings), scope=settings.scope)
    with TestClient(create_app(directory, atlas=atlas)) as client:
        response = client.get(path)
    typer.echo(response.text)
    if response.status_code >= 400:
        raise typer.Exit(code=2 if response.status_code < 500 else 1)
