"""Registry commands: ``user …``, ``token …``, ``registry export|import``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from clusteratlas._files import write_atomically
from clusteratlas.cli.app import (
    Command,
    DataDirOption,
    one_of,
    open_registry,
    registry_app,
    token_app,
    user_app,
)
from clusteratlas.errors import InputError

__all__ = ["registry_export", "registry_import", "token_create", "token_list", "token_revoke",
           "user_add", "user_list", "user_set"]


def _password(env: str) -> str | None:
    """From the environment variable, else the first line of a piped stdin, else a
    hidden prompt (twice)."""
    import os

    if os.environ.get(env):
        return os.environ[env]
    if not sys.stdin.isatty():
        line = sys.stdin.readline().rstrip("\n")
        return line or None
    value: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return value


@user_app.command("add", cls=Command)
def user_add(
    name: Annotated[str, typer.Argument(metavar="NAME", help="The user name.")],
    role: Annotated[str, typer.Option("--role", metavar="admin|analyst|manager",
                                      help="What the user may do.")],
    initiative: Annotated[list[str] | None, typer.Option(
        "--initiative", metavar="ID", help="An initiative a manager keeps (repeat for several).")] = None,
    password_env: Annotated[str, typer.Option(
        "--password-env", metavar="VAR", help="Environment variable holding the password (else stdin).")]
        = "CLUSTERATLAS_PASSWORD",
    data_dir: DataDirOption = None,
) -> None:
    """Add a registry user; the password comes from $CLUSTERATLAS_PASSWORD or stdin."""
    with open_registry(data_dir) as service:
        user = service.add_user(name, role, _password(password_env), initiative or [])
    extra = f" for {', '.join(user['initiatives'])}" if user["initiatives"] else ""
    typer.echo(f"Added {user['role']} {user['name']}{extra}.")


@user_app.command("list", cls=Command)
def user_list(data_dir: DataDirOption = None) -> None:
    """List the registry's users."""
    from clusteratlas.registry.auth import Actor

    with open_registry(data_dir) as service:
        users = service.users(Actor("cli", "admin"))
    for u in users:
        state = "" if u["active"] else " (deactivated)"
        typer.echo(f"{u['name']}\t{u['role']}\t{','.join(u['initiatives'])}{state}")


@user_app.command("set", cls=Command)
def user_set(
    name: Annotated[str, typer.Argument(metavar="NAME", help="The user name.")],
    active: Annotated[bool | None, typer.Option("--active/--inactive",
                                                help="Allow or stop sign-ins.")] = None,
    password: Annotated[bool, typer.Option("--password", help="Set a new password "
                                           "(from $CLUSTERATLAS_PASSWORD or stdin).")] = False,
    role: Annotated[str | None, typer.Option("--role", metavar="admin|analyst|manager",
                                             help="A new role.")] = None,
    data_dir: DataDirOption = None,
) -> None:
    """Deactivate, reactivate, set the password or the role of a user (a new password or
    role ends the user's sessions and revokes their tokens)."""
    from clusteratlas.registry.auth import Actor

    with open_registry(data_dir) as service:
        service.set_user(name, Actor("cli", "admin"), active=active, role=role,
                         password=_password("CLUSTERATLAS_PASSWORD") if password else None)
    typer.echo(f"Updated {name}.")


@token_app.command("create", cls=Command)
def token_create(
    name: Annotated[str, typer.Argument(metavar="NAME", help="The user the token acts for.")],
    token_name: Annotated[str, typer.Option("--name", metavar="LABEL", help="A label for the "
                                                                  "token.")] = "cli",
    expires: Annotated[int | None, typer.Option(
        "--expires", metavar="DAYS", help="Valid for this many days (default: until revoked).")] = None,
    data_dir: DataDirOption = None,
) -> None:
    """Create an API token (printed once: only its hash is stored)."""
    with open_registry(data_dir) as service:
        typer.echo(service.create_token(name, token_name, expires_days=expires))


@token_app.command("list", cls=Command)
def token_list(
    name: Annotated[str, typer.Argument(metavar="NAME", help="The user whose tokens to list.")],
    data_dir: DataDirOption = None,
) -> None:
    """List a user's tokens: id, name, created, expires, state (never the secrets)."""
    with open_registry(data_dir) as service:
        for t in service.tokens(name):
            state = "valid" if t["valid"] else ("revoked" if t["revoked_at"] else "expired")
            typer.echo(f"{t['id']}\t{t['name']}\t{t['created_at']}\t"
                       f"{t['expires_at'] or '-'}\t{state}")


@token_app.command("revoke", cls=Command)
def token_revoke(
    token_id: Annotated[int, typer.Argument(metavar="ID", help="The token's id (see token "
                                                                "list).")],
    data_dir: DataDirOption = None,
) -> None:
    """Revoke one API token."""
    with open_registry(data_dir) as service:
        t = service.revoke_token(token_id)
    typer.echo(f"Revoked token {t['id']} ({t['user']}/{t['name']}).")


# the export/import format, shared by both registry commands
FormatOption = Annotated[str | None, typer.Option(
    "--format", metavar="json|csv|xlsx", callback=one_of("json", "csv", "xlsx"),
    help="Default: from the file name.")]


@registry_app.command("export", cls=Command)
def registry_export(
    out: Annotated[Path, typer.Argument(metavar="OUT", help="Output file (.json, .zip of "
                                        "CSVs, .xlsx).")],
    fmt: FormatOption = None,
    initiative: Annotated[list[str] | None, typer.Option(
        "--initiative", metavar="ID", help="Only this initiative (repeat for several).")] = None,
    data_dir: DataDirOption = None,
) -> None:
    """Export the whole registry (or some initiatives), losslessly."""
    from clusteratlas.service.registry.transfer import export_registry

    kind = fmt or _format_of(out)
    with open_registry(data_dir) as service:
        data = export_registry(service, kind, initiative)
    write_atomically(out, data)
    typer.echo(f"Wrote {out} ({kind}, {len(data):,} bytes)")


@registry_app.command("import", cls=Command)
def registry_import(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="An export (.json, .zip of "
                                         "CSVs, .xlsx).")],
    fmt: FormatOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Import initiatives (new ones added, existing ones replaced; all audited)."""
    from clusteratlas.registry.auth import Actor
    from clusteratlas.service.registry.transfer import import_registry, read_registry_file

    aggs = read_registry_file(file, fmt or _format_of(file))
    with open_registry(data_dir, check_codes=True) as service:
        counts = import_registry(service, aggs, Actor("cli", "admin"), str(file))
    typer.echo(f"Imported {file}: {counts['created']} new, {counts['replaced']} replaced.")


def _format_of(path: Path) -> str:
    suffix = path.suffix.lower()
    kinds = {".json": "json", ".zip": "csv", ".csv": "csv", ".xlsx": "xlsx"}
    if suffix not in kinds:
        raise InputError(f"{path}: say --format json, csv or xlsx (or name it .json, .zip, "
                         ".xlsx)")
    return kinds[suffix]
