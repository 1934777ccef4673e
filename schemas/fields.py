"""Reusable marshmallow fields: slugs, references to other entries, comma-separated lists."""

import re
from collections.abc import Iterable

from marshmallow import ValidationError, fields, validate

from .constants import NAME_MAX_LENGTH, SLUG_MAX_LENGTH, SLUG_PATTERN, TEXT_MAX_LENGTH

SLUG_RE = re.compile(SLUG_PATTERN)


def is_slug(value: str) -> bool:
    """Tell whether a string is a well-formed slug (lowercase words joined by hyphens)."""
    return len(value) <= SLUG_MAX_LENGTH and SLUG_RE.fullmatch(value) is not None


class Slug(fields.String):
    """A slug: lowercase ASCII letters and digits in words joined by single hyphens."""

    def __init__(self, **kwargs):
        metadata = {
            "pattern": SLUG_PATTERN,
            "maxLength": SLUG_MAX_LENGTH,
            "example": "devops-engineer",
        }
        metadata.update(kwargs.pop("metadata", {}))
        super().__init__(
            validate=validate.Regexp(
                SLUG_RE, error="Must be lowercase letters and digits joined by single hyphens."
            ),
            metadata=metadata,
            **kwargs,
        )

    def _deserialize(self, value, attr, data, **kwargs):
        result = super()._deserialize(value, attr, data, **kwargs)
        if len(result) > SLUG_MAX_LENGTH:
            raise ValidationError(f"Longer than maximum length {SLUG_MAX_LENGTH}.")
        return result


# PostgreSQL cannot store NUL in text; refusing it everywhere keeps both databases alike.
NO_NUL_PATTERN = r"^[^\x00]*$"
NO_NUL = validate.Regexp(NO_NUL_PATTERN, error="NUL characters are not allowed.")


def text(max_length: int, **kwargs) -> fields.String:
    """A string of 1 to `max_length` characters, without NUL."""
    metadata = {"pattern": NO_NUL_PATTERN, **kwargs.pop("metadata", {})}
    return fields.String(
        validate=[validate.Length(1, max_length), NO_NUL], metadata=metadata, **kwargs
    )


def name_field(**kwargs) -> fields.String:
    """A short human-readable name."""
    return text(NAME_MAX_LENGTH, **kwargs)


def text_field(**kwargs) -> fields.String:
    """A prose field of at most TEXT_MAX_LENGTH characters."""
    return text(TEXT_MAX_LENGTH, **kwargs)


class SlugRef(Slug):
    """A reference to another entry: dumped from the related object as its slug."""

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else value.slug


class SlugList(fields.List):
    """References to other entries: dumped from related objects as a list of their slugs."""

    def __init__(self, **kwargs):
        super().__init__(Slug(), **kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else [item.slug for item in value]

    def _deserialize(self, value, attr, data, **kwargs):
        slugs = super()._deserialize(value, attr, data, **kwargs)
        if len(set(slugs)) != len(slugs):
            raise ValidationError("Each slug may appear only once.")
        return slugs


def escape_for_any_regex(text: str) -> str:
    """`text` matched literally by Python's re and by JavaScript's RegExp in Unicode mode.

    re.escape also escapes "-", which a JavaScript client compiling the spec's `pattern`
    with the u flag refuses ("Invalid escape"); only the syntax characters are escaped here.
    """
    return re.sub(r"[\\^$.*+?()[\]{}|/]", r"\\\g<0>", text)


class CommaSeparated(fields.String):
    """A query parameter holding a comma-separated list of names taken from a fixed set.

    `signed=True` allows a leading "-" on each name (descending sort). The documented
    `pattern` is exactly what is accepted; a repeated name counts once.
    """

    def __init__(self, choices: Iterable[str], *, signed: bool = False, **kwargs):
        self.choices = tuple(choices)
        self.signed = signed
        choices = "|".join(map(escape_for_any_regex, self.choices))
        name = ("-?" if signed else "") + "(?:" + choices + ")"
        self.pattern = re.compile(f"^{name}(?:,{name})*$")
        metadata = {"pattern": self.pattern.pattern, **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if not self.pattern.fullmatch(text):
            names = text.split(",")
            unknown = [n for n in names if (n[1:] if self.signed else n) not in self.choices]
            shown = ", ".join(repr(n) for n in (unknown or names))
            raise ValidationError(
                f"Unknown name(s): {shown}. Give a comma-separated list, no spaces, "
                f"of: {', '.join(self.choices)}."
            )
        return list(dict.fromkeys(text.split(",")))
