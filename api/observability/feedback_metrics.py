"""Votes on answers for Prometheus: wdw_answer_feedback_votes{helpful, reason}.

Read from the database when /metrics is scraped (one grouped query), not counted in the
process that took the vote: every worker and every instance reports the same figures, so a
scrape that lands on any of them is right. A gauge, not a counter: a client that votes again
replaces its vote, which can move it from one (helpful, reason) to another.
"""

import logging

from flask import Flask
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy.exc import SQLAlchemyError

from ..services.feedback import by_reason

log = logging.getLogger(__name__)


class FeedbackCollector:
    def __init__(self, app: Flask):
        self.app = app

    def collect(self):
        family = GaugeMetricFamily(
            "wdw_answer_feedback_votes",
            "Votes on answers standing, by helpful (true/false) and reason (none: no reason).",
            labels=["helpful", "reason"],
        )
        try:
            with self.app.extensions["database"]["reader"]() as session:
                rows = by_reason(session)
        except SQLAlchemyError as exc:  # the database is down: the other metrics still help
            log.warning("feedback votes not read for /metrics: %s", exc)
            return
        for helpful, reason, votes in sorted(rows):
            family.add_metric(["true" if helpful else "false", reason], votes)
        yield family
