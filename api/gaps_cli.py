"""`flask --app api gaps`: the content-gap report of GET /v1/analytics/gaps, in a terminal.

The same groups, in the same order, built by the same code (api/services/gap_report.py,
shaped by api/resources/analytics_gaps.py): sizes, phrasings, the nearest entry and FAQ, and
each suggestion with the request that acts on it, ready to send with an editor key.
"""

import json
from datetime import UTC, datetime

import click
from flask import current_app
from flask.cli import with_appcontext

from schemas.analytics_gaps import DEFAULT_GAP_STATUSES, GAP_STATUSES

from .extensions import check_connection, db
from .resources.analytics_gaps import gap_body
from .services import query_log
from .services.gap_report import report

MOMENT = click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S%z"])


def utc(moment: datetime | None) -> datetime | None:
    """A moment without an offset is UTC, as the API reads it."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def statuses(text: str) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(s.strip() for s in text.split(",") if s.strip()))
    unknown = [s for s in chosen if s not in GAP_STATUSES]
    if unknown or not chosen:
        raise click.BadParameter(f"give a comma-separated list of: {', '.join(GAP_STATUSES)}")
    return chosen


def lines(number: int, gap: dict) -> list[str]:
    counts = ", ".join(f"{name} {n}" for name, n in gap["statuses"].items())
    out = [
        f"{number}. {gap['size']} asked, {gap['questions']} distinct ({counts}); "
        f"last {gap['last_asked']:%Y-%m-%d %H:%M} UTC"
        if gap["last_asked"]
        else f"{number}. {gap['size']} asked, {gap['questions']} distinct ({counts})",
    ]
    for phrasing in gap["phrasings"]:
        out.append(f"   {phrasing['count']:>4} x  {phrasing['question']}")
    nearest = gap["nearest"]
    if nearest:
        out.append(f"   nearest entry: {nearest['type']} {nearest['title']!r} ({nearest['url']})")
    faq = gap["nearest_faq"]
    if faq:
        out.append(f"   nearest FAQ: {faq['slug']} (similarity {faq['similarity']:.2f})")
    suggestion = gap["suggestion"]
    out.append(f"   suggestion: {suggestion['action']}: {suggestion['why']}")
    request = suggestion["request"]
    if request:
        headers = "  ".join(f"{name}: {value}" for name, value in request["headers"].items())
        out.append(f"   send: {request['method']} {request['url']}  {headers}")
        out.append(f"         {json.dumps(request['body'], ensure_ascii=False)}")
    if suggestion["fill_in"]:
        out.append(f"   write first: {', '.join(suggestion['fill_in'])}")
    if suggestion["dropped"]:
        out.append(f"   would drop the examples: {'; '.join(suggestion['dropped'])}")
    return out


@click.command("gaps")
@click.option("--since", type=MOMENT, help="Asked at or after (YYYY-MM-DD[THH:MM:SS], UTC).")
@click.option("--until", type=MOMENT, help="Asked before (same form).")
@click.option("--limit", type=click.IntRange(1, 1000), default=10, show_default=True,
              help="The largest groups shown.")  # fmt: skip
@click.option(
    "--status",
    default=",".join(DEFAULT_GAP_STATUSES),
    show_default=True,
    help=f"Which questions count, of: {', '.join(GAP_STATUSES)}.",
)
@with_appcontext
def gaps_command(since, until, limit: int, status: str) -> None:
    """Questions users asked that the content did not answer, grouped by meaning, largest
    first, each with the write that fixes it (as GET /v1/analytics/gaps)."""
    chosen = statuses(status)
    since, until = utc(since), utc(until)
    if since and until and since >= until:
        raise click.BadParameter("must be later than --since", param_hint="--until")
    check_connection(db.engine)
    recorder = query_log.recorder_of(current_app)
    if recorder.pending:  # this process's own notes count too
        recorder.flush()
    semantic = bool(current_app.config.get("SEMANTIC_SEARCH"))
    total, gaps = report(db.session, since, until, chosen, semantic, limit=limit)
    if not gaps:
        click.echo("no gaps: every question asked in that window was answered")
        return
    shown = f"the {len(gaps)} largest of " if total > len(gaps) else ""
    click.echo(f"{shown}{total} groups of questions not answered well\n")
    for number, gap in enumerate(gaps, 1):
        click.echo("\n".join(lines(number, gap_body(gap))) + "\n")
