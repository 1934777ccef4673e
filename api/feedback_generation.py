"""The votes' generation: a value that changes whenever a vote on an answer is cast or
replaced, the same in every process once the vote has answered.

/v1/answers and /v1/passages show each passage's votes (`helpful`, `not_helpful`), so a
stored representation of them (api/cache.py) holds only while no vote has been cast since
it was made. Votes are not content: they must not change the content's generation
(api/generation.py), which every cache of the FAQ, the hottest read, is kept by. So they
have a generation of their own, told to every process the same way (api/channels.py: the
shared file on SQLite, Redis pub/sub or LISTEN/NOTIFY on PostgreSQL, on a channel of its
own), and the answers that show counts are stored with a check of it (api/cache.py FRESH).

What it is: (largest vote id, latest vote time in microseconds), read in one query on two
indexed columns: a new vote raises the first, a replaced one the second.
"""

import threading

from flask import Flask, current_app
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from .generation import ContentGeneration, channel_for
from .models.analytics import AnswerFeedback

_LOCK = threading.Lock()
LATEST = select(func.max(AnswerFeedback.id), func.max(AnswerFeedback.updated_at))


class FeedbackGeneration(ContentGeneration):
    """ContentGeneration's machinery (push, polling fallback, forget when unreadable), with
    the votes' value instead of the content's."""

    def refresh(self):
        ticket = self._ticket()
        try:
            with self.engine.connect() as connection:
                last_id, updated = connection.execute(LATEST).one()
            value = (last_id or 0, int(updated.timestamp() * 1_000_000) if updated else 0)
        except SQLAlchemyError:
            value = None
        self._apply(ticket, value)
        return self.value


def tracker(app: Flask | None = None) -> FeedbackGeneration:
    """The app's votes' generation, made on first use (a worker that never shows counts
    holds no channel for it)."""
    app = app or current_app._get_current_object()
    found = app.extensions.get("feedback_generation")
    if found is None:
        with _LOCK:
            found = app.extensions.get("feedback_generation")
            if found is None:
                engine = app.extensions["database"]["engine"]
                interval = app.config["CACHE_CHECK_INTERVAL"]
                found = FeedbackGeneration(engine, interval, channel_for(app, engine, "feedback"))
                app.extensions["feedback_generation"] = found
    return found
