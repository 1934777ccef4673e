"""Command-line tools: migrate, new-migration, seed (load, export), reindex, prune-queries,
gaps (api/gaps_cli.py), keys, mcp."""

import functools
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from .extensions import check_connection, db
from .gaps_cli import gaps_command
from .mcp_cli import mcp_command
from .migrate import maintenance_lock, new_revision, upgrade
from .services import query_log
from .services.indexing import reindex
from .services.keys import SCOPES, KeyNameTaken, create_key, list_keys, revoke_key
from .services.seeding import SeedError, export, read_fixtures, seed
from .services.transaction import write_transaction

DIRECTORY = click.Path(file_okay=False, path_type=Path)


def needs_database(command):
    """Connect before the command runs: a DATABASE_URL that does not work is one line."""

    @functools.wraps(command)
    def checked(*args, **kwargs):
        check_connection(db.engine)
        return command(*args, **kwargs)

    return checked


@click.command("migrate")
@with_appcontext
@needs_database
def migrate_command() -> None:
    """Apply every pending migration (waiting while another migrate or seed runs)."""
    with maintenance_lock(db.engine):
        upgrade(db.engine)
    click.echo("database schema is up to date")


@click.command("new-migration")
@click.argument("message")
@with_appcontext
@needs_database
def new_migration_command(message: str) -> None:
    """Write a migration for what the models changed (review it before committing)."""
    new_revision(db.engine, message)


@click.group("seed", invoke_without_command=True)
@click.option("--dir", "seed_dir", type=DIRECTORY, default=None, help="Default: SEED_DIR.")
@click.option("--force", is_flag=True, help="Overwrite entries that differ from the fixtures.")
@click.option(
    "--restore-deleted",
    is_flag=True,
    help="Re-create the fixture entries that editors deleted (left deleted otherwise).",
)
@click.pass_context
@with_appcontext
@needs_database
def seed_group(
    context: click.Context, seed_dir: Path | None, force: bool, restore_deleted: bool
) -> None:
    """Add the fixture entries that never existed; what editors changed or deleted stays so.

    --force overwrites existing entries with their fixtures; --restore-deleted re-creates
    the ones editors deleted. Each such write is a new version by the author "seed".
    """
    if context.invoked_subcommand is not None:
        return
    seed_dir = seed_dir or Path(current_app.config["SEED_DIR"])
    try:
        with maintenance_lock(db.engine):
            report = seed(db.session, seed_dir, force=force, restore_deleted=restore_deleted)
    except SeedError as exc:
        for message in exc.messages:
            click.echo(f"error: {message}", err=True)
        raise click.exceptions.Exit(1) from None
    for name, created in report.created.items():
        click.echo(
            f"{name}: {created} created, {report.updated[name]} updated, "
            f"{report.restored[name]} restored, {report.kept[name]} kept, "
            f"{report.left_out[name]} left out"
        )
    for note in report.notes:
        click.echo(f"note: {note}")


@seed_group.command("export")
@click.argument("out_dir", type=DIRECTORY)
@with_appcontext
@needs_database
def export_command(out_dir: Path) -> None:
    """Write the database's content as fixtures (the seed/ format) into OUT_DIR."""
    for name, count in export(db.session, out_dir).items():
        click.echo(f"{name}: {count} exported")
    try:
        read_fixtures(out_dir)
    except SeedError as exc:
        # Content a write accepts that fixtures may not hold (an FAQ without examples).
        for message in exc.messages:
            click.echo(f"note: seed would refuse {message}")


@click.command("reindex")
@with_appcontext
@needs_database
def reindex_command() -> None:
    """Rebuild the search index from the entries."""
    with maintenance_lock(db.engine), write_transaction(db.session):
        count = reindex(db.session)
    click.echo(f"indexed {count} entries")


@click.command("prune-queries")
@with_appcontext
@needs_database
def prune_queries_command() -> None:
    """Delete recorded questions older than QUERY_LOG_RETENTION_DAYS (docs/analytics.md)."""
    recorder = query_log.recorder_of(current_app)
    if recorder.pending:  # what this process noted is kept, or pruned, like the rest
        recorder.flush()
    count = recorder.prune()
    days = current_app.config["QUERY_LOG_RETENTION_DAYS"]
    click.echo(f"deleted {count} questions asked more than {days} days ago")


keys = AppGroup("keys", help="API keys for writes.")


@keys.command("create")
@click.option("--name", required=True, help="Who or what uses the key; shown in revisions.")
@click.option("--scope", type=click.Choice(SCOPES), default="editor", show_default=True)
@needs_database
def create_key_command(name: str, scope: str) -> None:
    """Make a key. It is printed once, alone on the last line; only its digest is kept."""
    try:
        key = create_key(db.session, name, scope)
    except KeyNameTaken:
        # Names stay taken (revoked keys too): revisions name their author by it.
        raise click.ClickException(
            f"a key named {name!r} exists already; choose another --name "
            "(`keys list` shows the names in use)"
        ) from None
    # Only the key goes to stdout, so `key=$(flask --app api keys create ...)` keeps just it
    # and a failure is not hidden behind a pipe.
    click.echo(f"Created {scope} key {name!r}. Store it now: it cannot be shown again.", err=True)
    click.echo(key)


@keys.command("list")
@needs_database
def list_keys_command() -> None:
    """Names, scopes and dates of the keys (never the keys)."""
    for key in list_keys(db.session):
        used = key.last_used_at.isoformat() if key.last_used_at else "never"
        state = f"revoked {key.revoked_at.isoformat()}" if key.revoked_at else "live"
        click.echo(
            f"{key.name}\t{key.scope}\tcreated {key.created_at.isoformat()}\tused {used}\t{state}"
        )


@keys.command("revoke")
@click.argument("name")
@needs_database
def revoke_key_command(name: str) -> None:
    """Revoke a key: at once in this process, within API_KEY_CACHE_SECONDS in running servers."""
    if not revoke_key(db.session, name):
        raise click.UsageError(f"no live key named {name!r}")
    click.echo(f"revoked {name!r}")


def register(app: Flask) -> None:
    for command in (
        migrate_command,
        new_migration_command,
        seed_group,
        reindex_command,
        prune_queries_command,
        gaps_command,
        keys,
        mcp_command,
    ):
        app.cli.add_command(command)
