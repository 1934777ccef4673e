"""Choosing the content-gap thresholds on bench/gaps_tune.json (never on the test's questions).

1. Grouping (api/services/gaps.py): for each threshold, purity (share of questions in a group
   whose most common theme is their own) and completeness (share of questions in the group
   holding most of their theme), by meaning and by words.
2. FAQ_CLOSE (api/services/nearest_faq.py): each theme's nearest FAQ and its similarity, by
   meaning and by words, against the seeded database DATABASE_URL names (`make db`); the
   themes a seeded FAQ answers (`faqs`) must score above the others.

Run: .venv/bin/python bench/gaps_threshold.py
"""

import json
from collections import Counter
from pathlib import Path

from api.services.gaps import Asking, Group, embed, group_by_meaning, group_by_words

TUNE = json.loads((Path(__file__).with_name("gaps_tune.json")).read_text())
THEMES = TUNE["themes"]


def measure(groups, theme_of) -> tuple[float, float, int]:
    pure = complete = 0
    main_group = {}
    for theme in set(theme_of.values()):
        sizes = Counter(
            n for n, g in enumerate(groups) for a in g.askings if theme_of[a.question] == theme
        )
        main_group[theme] = sizes.most_common(1)[0][0]
    for n, g in enumerate(groups):
        themes = Counter(theme_of[a.question] for a in g.askings)
        pure += themes.most_common(1)[0][1]
        complete += sum(1 for a in g.askings if main_group[theme_of[a.question]] == n)
    total = len(theme_of)
    return pure / total, complete / total, len(groups)


def grouping() -> None:
    theme_of = {q: t for t, qs in THEMES.items() for q in qs}
    askings = [Asking(q, Counter({"no_match": 1})) for q in theme_of]
    vectors = embed([a.question for a in askings])
    print("grouping by meaning: threshold purity completeness groups")
    for threshold in (0.15, 0.2, 0.25, 0.3, 0.35, 0.4):
        p, c, n = measure(group_by_meaning(askings, vectors, threshold), theme_of)
        print(f"  {threshold:.2f} {p:.2f} {c:.2f} {n}")
    print("grouping by words: threshold purity completeness groups")
    for threshold in (0.1, 0.2, 0.25, 0.3, 0.4):
        p, c, n = measure(group_by_words(askings, threshold), theme_of)
        print(f"  {threshold:.2f} {p:.2f} {c:.2f} {n}")


def nearest() -> None:
    from api import create_app
    from api.extensions import db
    from api.services.nearest_faq import nearest_faqs

    groups = [Group([Asking(q) for q in qs], qs[0]) for qs in THEMES.values()]
    with create_app().app_context():
        for semantic in (True, False):
            print(f"nearest FAQ by {'meaning' if semantic else 'words'}: theme answered-by")
            found = nearest_faqs(db.session, groups, semantic)
            for theme, faq in zip(THEMES, found, strict=True):
                right = TUNE["faqs"].get(theme)
                mark = "yes" if right == faq.slug else ("WRONG" if right else "none")
                print(f"  {theme:14} {faq.similarity:.2f} {mark:5} {faq.slug}")


if __name__ == "__main__":
    grouping()
    nearest()
