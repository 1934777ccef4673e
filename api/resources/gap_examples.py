"""An example of /v1/analytics/gaps for the spec: one group, as the loop test's data gives it."""

ETAG = '"3b1f8c0d9e2a7f4c6b5d1e0a9f8c7b6d5e4f3a2b"'

EXAMPLE = {
    "size": 7,
    "questions": 5,
    "statuses": {"no_match": 6, "unhelpful": 1},
    "last_asked": "2026-12-07T09:41:12+00:00",
    "representative": "how often do good teams push to prod",
    "phrasings": [
        {"question": "how often do good teams push to prod", "count": 3},
        {"question": "is shipping once a month too slow", "count": 1},
        {"question": "how many times a day should we release", "count": 1},
        {"question": "is it normal to deploy every day", "count": 1},
        {"question": "how do we know if we release often enough", "count": 1},
    ],
    "nearest": {
        "type": "faq",
        "slug": "what-is-deployment-frequency",
        "title": "What is deployment frequency?",
        "url": "/v1/faqs/what-is-deployment-frequency#answer",
        "score": 0.52,
        "cosine": 0.61,
    },
    "nearest_faq": {
        "slug": "what-is-deployment-frequency",
        "question": "What is deployment frequency?",
        "url": "/v1/faqs/what-is-deployment-frequency",
        "similarity": 0.55,
    },
    "suggestion": {
        "action": "add_examples",
        "why": "The FAQ 'What is deployment frequency?' is close to these questions: add "
        "them as its example questions, so that answers find it in the askers' words.",
        "faq": "/v1/faqs/what-is-deployment-frequency",
        "request": {
            "method": "PATCH",
            "url": "/v1/faqs/what-is-deployment-frequency",
            "headers": {"If-Match": ETAG, "Content-Type": "application/merge-patch+json"},
            "body": {
                "examples": [
                    "how often do we ship to production",
                    "what does deploy frequency measure",
                    "is releasing daily a good sign",
                    "how often do good teams push to prod",
                    "is shipping once a month too slow",
                    "how many times a day should we release",
                ]
            },
        },
        "fill_in": [],
        "dropped": ["deploys per week, is that a metric", "how many releases is healthy"],
        "left_out": [
            "is it normal to deploy every day",
            "how do we know if we release often enough",
        ],
    },
}
