"""Command-line tools: `flask --app api migrate`, `seed`, `new-migration`."""

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from .extensions import db
from .migrate import new_revision, upgrade
from .services.seeding import SeedError, seed


@click.command("migrate")
@with_appcontext
def migrate_command() -> None:
    """Apply every pending migration."""
    upgrade(db.engine)
    click.echo("database schema is up to date")


@click.command("new-migration")
@with_appcontext
@click.argument("message")
def new_migration_command(message: str) -> None:
    """Write a migration for what the models changed (review it before committing)."""
    new_revision(db.engine, message)


@click.command("seed")
@with_appcontext
@click.option(
    "--dir",
    "seed_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Fixture directory (default: SEED_DIR).",
)
def seed_command(seed_dir: Path | None) -> None:
    """Load the fixtures; entries that already exist are kept as they are."""
    seed_dir = seed_dir or Path(current_app.config["SEED_DIR"])
    try:
        report = seed(db.session, seed_dir)
    except SeedError as exc:
        for message in exc.messages:
            click.echo(f"error: {message}", err=True)
        raise click.exceptions.Exit(1) from None
    for name, created in report.created.items():
        click.echo(f"{name}: {created} created, {report.kept[name]} kept")


def register(app: Flask) -> None:
    for command in (migrate_command, new_migration_command, seed_command):
        app.cli.add_command(command)
