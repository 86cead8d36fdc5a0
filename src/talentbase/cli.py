"""The ``talentbase`` command: serve, migrate, API keys and users."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer
import uvicorn
from rich.console import Console

from talentbase.db import migrate
from talentbase.db.engine import Database
from talentbase.settings import Settings

app = typer.Typer(help="talentbase: a recruitment CRM server that speaks the Spott API.")
api_keys_app = typer.Typer(help="Manage API keys.")
users_app = typer.Typer(help="Manage users (recruiters).")
app.add_typer(api_keys_app, name="api-keys")
app.add_typer(users_app, name="users")
console = Console()
err_console = Console(stderr=True)

DatabaseOption = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        help="sqlite:///file.db or postgresql://user@host/db (default: TALENTBASE_DATABASE_URL "
        "or sqlite:///./talentbase.db)",
    ),
]


def _settings(database_url: str | None, **overrides: object) -> Settings:
    values = {key: value for key, value in overrides.items() if value is not None}
    if database_url is not None:
        values["database_url"] = database_url
    return Settings(**values)  # type: ignore[arg-type]


async def _bootstrap(settings: Settings) -> str | None:
    """On an empty database creates the first workspace and returns its new key (shown once);
    ensures ``TALENTBASE_BOOTSTRAP_API_KEY`` exists when set."""
    from talentbase.workspaces import repository, service

    hasher = service.key_hasher(settings)
    database = Database(settings.database_url, pool_size=1)
    try:
        async with database.transaction(write=True) as session:
            if settings.bootstrap_api_key:
                await service.ensure_key(
                    session, hasher, settings.bootstrap_workspace, settings.bootstrap_api_key
                )
                return None
            if await repository.any_workspace(session):
                return None
            issued = await service.issue_key(
                session, hasher, settings.bootstrap_workspace, "first key"
            )
            return issued.secret
    finally:
        await database.dispose()


@app.command()
def serve(
    database_url: DatabaseOption = None,
    host: Annotated[str | None, typer.Option(help="Address to bind (default 127.0.0.1)")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default 8000)")] = None,
) -> None:
    """Apply migrations, then serve the API."""
    from talentbase.app import create_app
    from talentbase.logging import configure_logging

    settings = _settings(database_url, host=host, port=port)
    configure_logging(settings.log_level)
    migrate.upgrade(settings.database_url)
    try:
        secret = asyncio.run(_bootstrap(settings))
    except ValueError as exc:
        err_console.print(f"[red]TALENTBASE_BOOTSTRAP_API_KEY: {exc}[/red]")
        raise typer.Exit(2) from exc
    if secret is not None:
        console.print(
            f"Created workspace [bold]{settings.bootstrap_workspace}[/bold]. Its API key, "
            "shown only this once:"
        )
        console.print(secret, markup=False, highlight=False, soft_wrap=True)
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        loop="uvloop",
        http="httptools",
        access_log=False,
        log_level="warning",
        # uvicorn's own lines go through the JSON handler configured above
        log_config=None,
    )


@app.command("migrate")
def migrate_command(database_url: DatabaseOption = None) -> None:
    """Apply every database migration."""
    settings = _settings(database_url)
    migrate.upgrade(settings.database_url)
    console.print("Database is up to date.")


@api_keys_app.command("create")
def create_api_key(
    workspace: Annotated[str, typer.Option(help="Workspace name (created if missing)")],
    name: Annotated[str, typer.Option(help="A label for the key")] = "default",
    database_url: DatabaseOption = None,
) -> None:
    """Create an API key and print it (it is shown only once); the workspace is created if it
    does not exist yet."""
    from talentbase.workspaces import repository, service

    settings = _settings(database_url)
    migrate.upgrade(settings.database_url)

    hasher = service.key_hasher(settings)

    async def run() -> tuple[str, bool]:
        database = Database(settings.database_url, pool_size=1)
        try:
            async with database.transaction(write=True) as session:
                existed = await repository.workspace_by_name(session, workspace) is not None
                issued = await service.issue_key(session, hasher, workspace, name)
                return issued.secret, not existed
        finally:
            await database.dispose()

    secret, created = asyncio.run(run())
    if created:
        err_console.print(f"Created workspace {workspace!r}.")
    console.print(secret, markup=False, highlight=False, soft_wrap=True)


@api_keys_app.command("list")
def list_api_keys(
    workspace: Annotated[
        str | None, typer.Option(help="Only the keys of this workspace (default: all)")
    ] = None,
    database_url: DatabaseOption = None,
) -> None:
    """List API keys: id, workspace, name, visible prefix, created, revoked. Never the secret."""
    from rich.table import Table

    from talentbase.views import iso
    from talentbase.workspaces import service

    settings = _settings(database_url)
    migrate.upgrade(settings.database_url)

    async def run() -> list[service.KeyListing]:
        database = Database(settings.database_url, pool_size=1)
        try:
            async with database.transaction(write=False) as session:
                return await service.list_keys(session, workspace)
        finally:
            await database.dispose()

    table = Table("id", "workspace", "name", "prefix", "created", "revoked")
    for key in asyncio.run(run()):
        table.add_row(
            key.id,
            key.workspace_name,
            key.name,
            key.prefix + "…",
            iso(key.created_at),
            iso(key.revoked_at) or "",
        )
    console.print(table)


@api_keys_app.command("revoke")
def revoke_api_key(
    key_id: Annotated[str, typer.Argument(help="The key's id, as `api-keys list` shows it")],
    database_url: DatabaseOption = None,
) -> None:
    """Revoke an API key: requests with it fail with 401 from the next one on."""
    from talentbase.workspaces import service

    settings = _settings(database_url)
    migrate.upgrade(settings.database_url)

    async def run() -> service.KeyListing | None:
        database = Database(settings.database_url, pool_size=1)
        try:
            async with database.transaction(write=True) as session:
                return await service.revoke_key(session, key_id)
        finally:
            await database.dispose()

    revoked = asyncio.run(run())
    if revoked is None:
        err_console.print(f"No API key with id {key_id!r}.")
        raise typer.Exit(1)
    console.print(
        f"Revoked key {revoked.prefix}… ({revoked.name!r}) of workspace "
        f"{revoked.workspace_name!r}.",
        markup=False,
    )


@users_app.command("create")
def create_user(
    workspace: Annotated[str, typer.Option(help="Workspace name")],
    name: Annotated[str, typer.Option(help="Full name")],
    email: Annotated[str, typer.Option(help="Email address")],
    avatar_url: Annotated[str | None, typer.Option(help="Avatar URL")] = None,
    database_url: DatabaseOption = None,
) -> None:
    """Create a user (recruiter) in a workspace and print it as JSON."""
    import json

    from pydantic import ValidationError

    from talentbase.api.errors import ApiError
    from talentbase.users import service
    from talentbase.users.schemas import UserCreate
    from talentbase.workspaces import repository

    settings = _settings(database_url)
    migrate.upgrade(settings.database_url)
    try:
        body = UserCreate.model_validate({"name": name, "email": email, "avatarUrl": avatar_url})
    except ValidationError as exc:
        err_console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc

    async def run() -> dict[str, object]:
        database = Database(settings.database_url, pool_size=1)
        try:
            async with database.transaction(write=True) as session:
                found = await repository.workspace_by_name(session, workspace)
                if found is None:
                    raise ApiError(404, f"No workspace called {workspace!r}")
                return await service.create_user(session, found.id, body)
        finally:
            await database.dispose()

    try:
        user = asyncio.run(run())
    except ApiError as exc:
        detail = "; ".join(item.message for item in exc.errors or []) or exc.message
        err_console.print(f"[red]{detail}[/red]")
        raise typer.Exit(1) from exc
    console.print_json(json.dumps(user))


def main() -> None:
    """Entry point of the ``talentbase`` script."""
    app()


if __name__ == "__main__":
    main()
