"""The BERT WordPiece tokenizer of all-MiniLM-L6-v2, in plain Python, from its tokenizer.json.

It gives the same token ids as Hugging Face `tokenizers` with that file (BertNormalizer:
clean text, space out CJK ideographs, strip accents, lowercase; BertPreTokenizer: split on
whitespace and punctuation; WordPiece, greedy longest match; [CLS] … [SEP], truncated to the
model's 256 tokens), checked by tests/test_embedder.py against the library wherever it is
installed. It is written here rather than installed because `tokenizers` brings
huggingface-hub and its own dependencies: 36 MB of the install for a few dozen lines.

The character classes are those of `tokenizers`, whose Unicode tables are older than
Python's (UNKNOWN_THERE, FORMERLY).
"""

import bisect
import json
import unicodedata
from functools import lru_cache
from pathlib import Path

# White_Space, as Rust's char::is_whitespace (Python's str.isspace also counts \x1c-\x1f).
WHITESPACE = frozenset(
    "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
ASCII_PUNCTUATION = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
# Where the Unicode tables of `tokenizers` (older) and of Python 3.11 (Unicode 14) disagree,
# found by encoding every code point with both: these marks, punctuation and format characters
# are new to it, so it reads them as letters…
UNKNOWN_THERE = """
    61D 7FD 890-891 898-89F 8CA-8E2 9FD-9FE A76 AFA-AFF B55 C04 C3C C77 C84 D00 D3B-D3C D81
    EBA 180F 1885-1886 1ABF-1ACE 1B7D-1B7E 1DF6-1DFB 2E43-2E4F 2E52-2E5D A82C A8C5 A8FF A9BD
    10D24-10D27 10EAB-10EAD 10F46-10F50 10F55-10F59 10F82-10F89 11070 11073-11074 110C2 110CD
    111CF 1123E 1133B 11438-1143F 11442-11444 11446 1144B-1144F 1145A-1145B 1145D-1145E
    11660-1166C 116B9 1182F-11837 11839-1183B 1193B-1193C 1193E 11943-11946 119D4-119D7
    119DA-119DB 119E0 119E2 11A01-11A0A 11A33-11A38 11A3B-11A47 11A51-11A56 11A59-11A5B
    11A8A-11A96 11A98-11A9C 11A9E-11AA2 11C30-11C36 11C38-11C3D 11C3F 11C41-11C45 11C70-11C71
    11C92-11CA7 11CAA-11CB0 11CB2-11CB3 11CB5-11CB6 11D31-11D36 11D3A 11D3C-11D3D 11D3F-11D45
    11D47 11D90-11D91 11D95 11D97 11EF3-11EF4 11EF7-11EF8 11FFF 12FF1-12FF2 13430-13438
    16E97-16E9A 16F4F 16FE2 16FE4 1CF00-1CF2D 1CF30-1CF46 1E000-1E006 1E008-1E018 1E01B-1E021
    1E023-1E024 1E026-1E02A 1E130-1E136 1E2AE 1E2EC-1E2EF 1E944-1E94A 1E95E-1E95F
"""
# … and these three had other categories in its Unicode.
FORMERLY = {"\u166d": "Po", "\U000111c9": "Po", "\u1734": "Mn"}
CJK = (
    (0x4E00, 0x9FFF),
    (0x3400, 0x4DBF),
    (0x20000, 0x2A6DF),
    (0x2A700, 0x2B73F),
    (0x2B740, 0x2B81F),
    (0x2B920, 0x2CEAF),
    (0xF900, 0xFAFF),
    (0x2F800, 0x2FA1F),
)


def _starts(ranges: str) -> list[int]:
    """'61D 890-891' as [0x61D, 0x61E, 0x890, 0x892]: odd bisect positions are inside."""
    starts = []
    for item in ranges.split():
        low, _, high = item.partition("-")
        starts += [int(low, 16), int(high or low, 16) + 1]
    return starts


_UNKNOWN_STARTS = _starts(UNKNOWN_THERE)


def _category(char: str) -> str:
    """The general category of a character as `tokenizers` sees it."""
    if char in FORMERLY:
        return FORMERLY[char]
    if bisect.bisect_right(_UNKNOWN_STARTS, ord(char)) % 2:
        return "Lo"
    return unicodedata.category(char)


def _removed(char: str) -> bool:
    """NUL, U+FFFD and the control characters (Cc, Cf, Co) but tab and line breaks."""
    if char in "\t\n\r":
        return False
    return char in "\x00\ufffd" or _category(char) in ("Cc", "Cf", "Co", "Cs")


def _punctuation(char: str) -> bool:
    return char in ASCII_PUNCTUATION or _category(char).startswith("P")


def _cjk(char: str) -> bool:
    code = ord(char)
    return any(low <= code <= high for low, high in CJK)


@lru_cache(maxsize=65536)
def _normalized(char: str) -> str:
    """One input character after the normalizer, with word breaks as spaces: what
    BertNormalizer makes of it, each punctuation mark of that set apart by spaces."""
    if _removed(char):
        return ""
    if char in WHITESPACE:
        return " "
    text = unicodedata.normalize("NFD", char)
    text = "".join(c for c in text if _category(c) != "Mn")
    text = "".join(c.lower() for c in text)  # char by char: no final-sigma rule
    pieces = [" " if c in WHITESPACE else f" {c} " if _punctuation(c) else c for c in text]
    text = "".join(pieces)
    return f" {text} " if _cjk(char) else text


class WordPiece:
    """Text to token ids, as all-MiniLM-L6-v2 reads it; safe to share between threads."""

    def __init__(self, tokenizer_json: Path | dict, max_length: int = 256) -> None:
        """From tokenizer.json: its path, or its content already read."""
        if isinstance(tokenizer_json, dict):
            spec = tokenizer_json
        else:
            spec = json.loads(Path(tokenizer_json).read_text(encoding="utf-8"))
        model = spec["model"]
        if model["type"] != "WordPiece" or spec["normalizer"]["type"] != "BertNormalizer":
            raise ValueError("tokenizer.json: not a BERT WordPiece tokenizer")
        self.vocab: dict[str, int] = model["vocab"]
        self.prefix = model["continuing_subword_prefix"]
        self.max_chars = model["max_input_chars_per_word"]
        self.unk = self.vocab[model["unk_token"]]
        self.cls, self.sep = self.vocab["[CLS]"], self.vocab["[SEP]"]
        self.max_length = max_length
        self._word = lru_cache(maxsize=65536)(self._pieces)

    def words(self, text: str) -> list[str]:
        """The normalised text, split into words and punctuation marks."""
        # ASCII, the usual case, without a lookup per character
        text = text.translate(_ASCII) if text.isascii() else "".join(map(_normalized, text))
        return text.split()

    def _pieces(self, word: str) -> tuple[int, ...]:
        if len(word) > self.max_chars:
            return (self.unk,)
        pieces, start = [], 0
        while start < len(word):
            end = len(word)
            while end > start:
                piece = word[start:end] if start == 0 else self.prefix + word[start:end]
                if piece in self.vocab:
                    pieces.append(self.vocab[piece])
                    break
                end -= 1
            else:
                return (self.unk,)
            start = end
        return tuple(pieces)

    def encode(self, text: str) -> list[int]:
        """[CLS], the word pieces (the first max_length - 2), [SEP]."""
        ids, room = [self.cls], self.max_length - 2
        for word in self.words(text):
            ids.extend(self._word(word))
            if len(ids) > room:
                break
        del ids[room + 1 :]
        ids.append(self.sep)
        return ids


# ASCII: control characters removed, tab and line breaks as spaces, punctuation set apart.
_ASCII = {code: _normalized(chr(code)) for code in range(128)}
