"""The ``talentbase`` command: serve, migrate, seed, API keys and users."""

from __future__ import annotations

import asyncio
import os
from typing import Annotated

import typer
import uvicorn
from rich.console import Console

from talentbase.db import migrate
from talentbase.db.engine import Database
from talentbase.settings import Settings
from talentbase.workspaces.service import SecretMismatch

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
    ensures ``TALENTBASE_BOOTSTRAP_API_KEY`` exists when set. Raises ``SecretMismatch`` when
    the database's keys were made under another server secret."""
    from talentbase.workspaces import repository, service

    hasher = service.key_hasher(settings)
    database = Database(settings.database_url, pool_size=1)
    try:
        async with database.transaction(write=True) as session:
            await service.check_server_secret(session, hasher)
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
    workers: Annotated[
        int | None,
        typer.Option(min=1, help="Worker processes (default: the number of CPU cores)"),
    ] = None,
) -> None:
    """Apply migrations, then serve the API with one or more worker processes."""
    from talentbase.logging import configure_logging

    settings = _settings(database_url, host=host, port=port)
    configure_logging(settings.log_level)
    migrate.upgrade(settings.database_url)
    try:
        secret = asyncio.run(_bootstrap(settings))
    except SecretMismatch as exc:
        err_console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    except ValueError as exc:
        err_console.print(f"[red]TALENTBASE_BOOTSTRAP_API_KEY: {exc}[/red]")
        raise typer.Exit(2) from exc
    if secret is not None:
        console.print(
            f"Created workspace [bold]{settings.bootstrap_workspace}[/bold]. Its API key, "
            "shown only this once:"
        )
        console.print(secret, markup=False, highlight=False, soft_wrap=True)
    count = workers or os.cpu_count() or 1
    if count > 1 and settings.redis_url is None:
        err_console.print(
            f"{count} workers without TALENTBASE_REDIS_URL: each counts its own rate limit "
            "budget. Set it to share one."
        )
    # worker processes read their settings from the environment: pass the options on
    os.environ["TALENTBASE_DATABASE_URL"] = settings.database_url
    os.environ["TALENTBASE_HOST"] = settings.host
    os.environ["TALENTBASE_PORT"] = str(settings.port)
    uvicorn.run(
        "talentbase.asgi:production_app",
        factory=True,
        workers=count,
        host=settings.host,
        port=settings.port,
        loop="uvloop",
        http="httptools",
        access_log=False,
        log_level="warning",
        # uvicorn's own lines go through the JSON handler each worker configures
        log_config=None,
    )


@app.command()
def worker(database_url: DatabaseOption = None) -> None:
    """Deliver webhooks without serving the API, until stopped (SIGTERM or Ctrl-C). Any
    number of workers (and servers) may run at once; run `migrate` or `serve` first."""
    from talentbase.logging import configure_logging
    from talentbase.webhooks.worker import run_until_signalled

    settings = _settings(database_url)
    configure_logging(settings.log_level)
    asyncio.run(run_until_signalled(settings))


@app.command("migrate")
def migrate_command(database_url: DatabaseOption = None) -> None:
    """Apply every database migration."""
    settings = _settings(database_url)
    migrate.upgrade(settings.database_url)
    console.print("Database is up to date.")


@app.command("seed")
def seed_command(
    candidates: Annotated[
        int, typer.Option("--candidates", min=1, help="How many candidates to add")
    ],
    workspace: Annotated[
        str | None,
        typer.Option(help="Workspace name, created if missing (default: the bootstrap workspace)"),
    ] = None,
    seed_random: Annotated[
        int | None,
        typer.Option("--seed-random", help="Random seed: the same seed gives the same people"),
    ] = None,
    database_url: DatabaseOption = None,
) -> None:
    """Fill a workspace with realistic, varied candidates (bulk inserts, not the API)."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from talentbase.seed import seed

    settings = _settings(database_url)
    migrate.upgrade(settings.database_url)
    name = workspace or settings.bootstrap_workspace
    with Progress(
        TextColumn("[bold]Seeding[/bold]"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err_console,
    ) as progress:
        task = progress.add_task("candidates", total=candidates)
        result = seed(
            settings.database_url,
            name,
            candidates,
            random_seed=seed_random,
            on_progress=lambda done: progress.advance(task, done),
        )
    console.print(
        f"Added {result.candidates:,} candidates ({result.work_experiences:,} work experiences, "
        f"{result.companies:,} companies, {result.users} users) to workspace {name!r} in "
        f"{result.seconds:.1f} s.",
        markup=False,
        highlight=False,
    )


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
                await service.check_server_secret(session, hasher)
                existed = await repository.workspace_by_name(session, workspace) is not None
                issued = await service.issue_key(session, hasher, workspace, name)
                return issued.secret, not existed
        finally:
            await database.dispose()

    try:
        secret, created = asyncio.run(run())
    except service.SecretMismatch as exc:
        err_console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
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
    """List API keys, tab-separated: id, workspace, name, visible prefix, created, revoked.
    Never the secret or its hash."""
    from talentbase.views import iso
    from talentbase.workspaces import service

    settings = _settings(database_url)

    async def run() -> list[service.KeyListing]:
        database = Database(settings.database_url, pool_size=1)
        try:
            async with database.transaction(write=False) as session:
                return await service.list_keys(session, workspace)
        finally:
            await database.dispose()

    # tab-separated, one key a line: ids are copied into `revoke`, so never wrapped or cut
    rows = [("id", "workspace", "name", "prefix", "created", "revoked")]
    for key in asyncio.run(run()):
        rows.append(
            (
                key.id,
                key.workspace_name,
                key.name,
                key.prefix + "…",
                iso(key.created_at) or "",
                iso(key.revoked_at) or "",
            )
        )
    for row in rows:
        typer.echo("\t".join(row))


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
