"""Examples of /v1/answers for the spec, one per status (shortened real responses)."""

from ..urls import entry_url

ETAG = '"4f1c0e6a9d2b7c3e8a5f1d0b6c9e2a7f3b8d4c1e"'
SOURCE = {
    "resource": "developer-vs-devops-who-does-what",
    "title": "Developer vs. DevOps: Who Does What? (The Ultimate Masterclass)",
    "section": "7. Technical Comparison Matrix",
    "fields": [],
    "note": None,
}


def _passage(url: str, title: str, text: str, kind: str, field: str, score: float) -> dict:
    slug = url.split("/")[3].split("#")[0]
    citation = {
        "url": url,
        "type": kind,
        "slug": slug,
        "field": field,
        "version": 1,
        "etag": ETAG,
    }
    entry_id = url.removeprefix("/v1/")
    return {
        "id": entry_id,
        "title": title,
        "text": text,
        "score": score,
        **citation,
        "sources": [SOURCE],
        "metadata": {
            "id": entry_id,
            "title": title,
            "entry_title": title.split(":")[0],
            "roles": [],
            "score": score,
            "sources": [SOURCE],
            **citation,
        },
    }


def _hit(kind: str, collection: str, slug: str, title: str, score: float) -> dict:
    return {
        "type": kind,
        "slug": slug,
        "title": title,
        "snippet": "…",
        "score": score,
        "url": entry_url(collection, slug),
    }


CODE = _passage(
    "/v1/faqs/do-devops-engineers-write-code#answer",
    "Do DevOps engineers write code?",
    "Yes. DevOps engineers write infrastructure as code, pipelines and automation scripts…",
    "faq",
    "answer",
    0.82,
)
PAINS = [
    _passage(
        entry_url("roles", slug, "pain_points"),
        f"{name}: pain points",
        text,
        "role",
        "pain_points",
        score,
    )
    for slug, name, text, score in (
        ("developer", "Developer", "Context switching, flaky builds, waiting on reviews…", 0.61),
        ("devops-engineer", "DevOps Engineer (DevOps)", "Pager fatigue, snowflake servers…", 0.6),
    )
]
BASE = {
    "answered": False,
    "threshold": 0.6,
    "answer": None,
    "passage": None,
    "options": [],
    "alternatives": [],
    "related": {"roles": [], "tools": []},
    "suggestions": [],
}

EXAMPLES = {
    "answered": {
        "summary": "answered: quote the answer, cite the passage",
        "value": BASE
        | {
            "query": "do devops folks even write code??",
            "status": "answered",
            "answered": True,
            "confidence": 0.81,
            "answer": {
                "slug": "do-devops-engineers-write-code",
                "question": CODE["title"],
                "answer": CODE["text"],
                "url": "/v1/faqs/do-devops-engineers-write-code",
                "version": 1,
                "etag": ETAG,
                "roles": ["devops-engineer"],
                "tags": ["devops"],
            },
            "passage": CODE,
            "alternatives": [
                _hit("role", "roles", "devops-engineer", "DevOps Engineer", 0.55),
            ],
            "related": {"roles": ["devops-engineer"], "tools": ["terraform"]},
        },
    },
    "ambiguous": {
        "summary": 'ambiguous: offer the options ("did you mean…")',
        "value": BASE
        | {
            "query": "what are the pain points",
            "status": "ambiguous",
            "confidence": 0.42,
            "options": PAINS,
            "alternatives": [_hit("role", "roles", "developer", "Developer", 0.61)],
            "suggestions": [_hit("role", "roles", "developer", "Developer", 0.61)],
        },
    },
    "no_match": {
        "summary": "no_match: in the domain, not covered yet",
        "value": BASE
        | {
            "query": "how do canary releases work",
            "status": "no_match",
            "confidence": 0.18,
            "suggestions": [_hit("metric", "metrics", "deployment-frequency", "Deployment", 0.3)],
        },
    },
    "out_of_domain": {
        "summary": "out_of_domain: not what this API knows",
        "value": BASE
        | {"query": "what does a lawyer earn", "status": "out_of_domain", "confidence": 0.04},
    },
}
