"""The words a question is read with: stop words, chat filler, and the English words a typo
corrector must keep.

- STOP_WORDS: function words, dropped before search.
- FILLER: chat filler, slang and framing ("tbh", "lol", "ppl", "ngl", "fr", "pls", "u",
  "actually", "like", "quick question", contractions' tails): dropped too, so that they count
  neither for nor against an entry.
- english(word): whether a word is a real English word, from the English word-frequency
  dictionary of the `pyspellchecker` package (160,000 words, each seen at least 50 times in
  its sources; loaded once per process, on the first question with a word the index lacks).
  A real word is never "corrected" into another one ("reset" stays "reset", not "rests").
- MAX_WORDS: a question's content words beyond the first MAX_WORDS are not searched, so a
  2,000-character question costs about what a long sentence does.
"""

import gzip
import json
import threading
from functools import cache
from importlib import resources


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


STOP_WORDS = _word_set(
    """
    a about after all also am an and any are as at be been being but by can could did do does
    doing done even ever for from get gets got had has have having he her here hers him his how
    i if in into is it its just me more most my no nor not of off on once only or other our out
    over own really same she should so some such than that the their them then there these they
    this those through to too under until up very was we were what when where which while who
    whom why will with would you your yours
    """
)

FILLER = _word_set(
    """
    tbh lol lmao lmfao rofl haha hahaha ngl fr frfr pls plz please u ur ure ppl peeps folks
    guys dude bro like actually basically literally honestly seriously totally kinda sorta
    gonna wanna gotta idk imo imho btw omg ok okay hey hi hello yo thanks thx ty cheers yeah
    yea yep yup nah nope hmm um uh umm anyway anyways whatever stuff thing things lemme gimme
    rn tho smh afaik iirc fwiw tldr im ive dont doesnt didnt cant isnt arent wasnt wont whats
    thats theres youre theyre s t d m re ve ll don doesn didn isn aren wasn couldn shouldn
    wouldn quick question questions wondering wonder curious someone somebody anyone anybody
    something anything tell explain know
    """
)

MAX_WORDS = 32

_LOCK = threading.Lock()


# Kept until the process ends: the dictionary is a file of an installed package, which cannot
# change while the process runs (the content's generation has nothing to do with it).
@cache
def english_words() -> frozenset[str]:
    """The English dictionary of pyspellchecker (empty when the package is missing)."""
    with _LOCK:
        try:
            data = resources.files("spellchecker") / "resources" / "en.json.gz"
            with data.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as text:
                return frozenset(json.load(text))
        except (ModuleNotFoundError, FileNotFoundError):  # pragma: no cover - install-dependent
            return frozenset()


def english(word: str) -> bool:
    """Whether `word` (lowercase) is a real English word."""
    return word in english_words()
