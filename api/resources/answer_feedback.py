"""Feedback on answers: POST /v1/answers/feedback, and an FAQ's helpfulness counts.

Votes are anonymous (a chatbot's users are): an `Authorization` key, when sent, names the
client; without one, the client's address does. Either way only a keyed hash of it is stored
(api/services/answer_ids.py). One vote per (answer id, client): voting again replaces it.

Answers and passages show their counts, and are stored only until the next vote
(api/feedback_generation.py). The counts of an FAQ are a sub-resource,
GET /v1/faqs/{slug}/feedback, not fields of the FAQ: the FAQ's own representation stays
stored in memory until its content changes (api/cache.py), and votes, which change far more
often than content, do not touch it. The counts are made per request (one query) and sent
`Cache-Control: no-store`, so nothing keeps them after a vote; their ETag is their body's,
so it changes when they do.
"""

from flask import request
from flask_smorest import abort
from marshmallow import RAISE

from schemas.answer_feedback import (
    EXAMPLE_ANSWER_ID,
    EntryFeedbackSchema,
    FeedbackInputSchema,
    FeedbackResultSchema,
)

from .. import feedback_generation
from ..auth import identify
from ..extensions import db
from ..formats import representations
from ..registry import BY_NAME
from ..services import answer_ids, feedback
from ..services.entries import get_entry
from ..urls import entry_url
from .openapi_docs import READ_HEADERS, Blueprint
from .representation import json_response

FEEDBACK_PATH = "/v1/answers/feedback"
NO_STORE = {"Cache-Control": "no-store"}
REFUSED_ID = (
    "Not an answer id this server issued: send `answer_id` exactly as a /v1/answers or "
    "/v1/passages response gave it (it is signed; a changed or made-up one is refused)."
)
EXAMPLES = {
    "not_helpful": {
        "summary": "An answer that did not help, and why",
        "value": {
            "answer_id": EXAMPLE_ANSWER_ID,
            "helpful": False,
            "reason": "outdated",
            "comment": "The on-call part changed last year.",
        },
    },
    "helpful": {
        "summary": "An answer that helped",
        "value": {"answer_id": EXAMPLE_ANSWER_ID, "helpful": True},
    },
}


def client() -> str:
    """Who votes: the verified key's id, or the address (hashed before it is stored)."""
    identity = identify()
    if identity.failed:
        abort(
            401,
            message="This key is unknown or revoked; send feedback without a key, or "
            "with a live one.",
            headers={"WWW-Authenticate": 'Bearer realm="who-does-what"'},
        )
    if identity.key is not None:
        return answer_ids.client_hash(f"key:{identity.key.id}")
    return answer_ids.client_hash(f"address:{request.remote_addr}")


def entry_counts_markdown(body: dict, _url: str, _total: str | None) -> str:
    return (
        f"# Helpfulness of <{body['url']}>\n\n"
        f"- Helpful: {body['helpful']}\n- Not helpful: {body['not_helpful']}\n"
    )


def feedback_blueprint() -> Blueprint:
    blp = Blueprint(
        "answer_feedback", __name__, description="Feedback on answers, and helpfulness counts."
    )

    @blp.route(FEEDBACK_PATH, methods=["POST"])
    @blp.doc(
        operationId="sendAnswerFeedback",
        summary="Say whether an answer helped",
        description="Send the `answer_id` of the /v1/answers response (or /v1/passages "
        "passage) the user saw, `helpful` true or false, and optionally a `reason` and a "
        "short `comment`. No key needed (a key, when sent, identifies the client instead of "
        "its address); one vote per answer and client: voting again replaces the vote (201 "
        "the first time, 200 after). A forged or changed `answer_id` is 422. Rate-limited "
        "per client (RATE_LIMIT_FEEDBACK, default 30/minute). Votes are counted for editors "
        "and shown beside passages and FAQs; they never change rankings.",
        security=[{}, {"bearerAuth": []}],
    )
    @blp.arguments(FeedbackInputSchema, unknown=RAISE, as_kwargs=False, examples=EXAMPLES)
    @blp.response(201, FeedbackResultSchema, description="The first vote of this client.")
    @blp.alt_response(200, schema=FeedbackResultSchema, description="A vote replaced.")
    @blp.alt_response(401, response="UNAUTHORIZED")
    @blp.alt_response(415, response="UNSUPPORTED_MEDIA_TYPE")
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    @blp.alt_response(429, response="TOO_MANY_REQUESTS")
    def send_feedback(args):
        who = client()
        token = args["answer_id"]
        try:
            ref = answer_ids.verify(token)
        except answer_ids.BadAnswerId:
            abort(422, errors={"answer_id": [REFUSED_ID]})
        key = answer_ids.answer_key(token)
        reason = args.get("reason")
        vote = feedback.record(
            db.session, ref, key, who, args["helpful"], reason, args.get("comment")
        )
        # Before answering: every process forgets the answers it stored with the old counts.
        feedback_generation.tracker().committed()
        if ref.passage_id is not None:
            counts = feedback.by_passage(db.session, [ref.passage_id]).get(ref.passage_id)
        else:
            counts = feedback.for_answer(db.session, key)
        body = {
            "answer_id": token,
            "helpful": vote.row.helpful,
            "reason": vote.row.reason,
            "comment": vote.row.comment,
            "replaced": not vote.created,
            "question": ref.question,
            "status": ref.status,
            "passage_id": ref.passage_id,
            "version": ref.version,
            "counts": (counts or feedback.Counts()).as_dict(),
        }
        return json_response(body, 201 if vote.created else 200, NO_STORE)

    @blp.route("/v1/faqs/<slug>/feedback")
    @representations(markdown=entry_counts_markdown)
    @blp.doc(
        operationId="getFaqFeedback",
        summary="How many found an FAQ helpful",
        description="Votes on the FAQ's answer sent with POST /v1/answers/feedback (every "
        "question, every version): `helpful` and `not_helpful`, like a help centre's vote "
        "sums. Made per request and never stored (`Cache-Control: no-store`): the FAQ itself "
        "stays served from memory, and votes do not change it.",
    )
    @blp.response(200, EntryFeedbackSchema, headers=READ_HEADERS)
    @blp.alt_response(404, response="NOT_FOUND")
    def faq_feedback(slug: str):
        faqs = BY_NAME["faqs"]
        if get_entry(db.session, faqs, slug) is None:
            abort(404, message=f"No FAQ has the slug {slug!r}.")
        counts = feedback.for_entry(db.session, "faqs", slug)
        body = {"type": faqs.label, "slug": slug, "url": entry_url("faqs", slug)}
        body.update(counts.as_dict())
        return json_response(body, headers=NO_STORE)

    return blp
