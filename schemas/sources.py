"""Provenance: the sources an entry cites, and the query filter that finds entries by source.

Each source names a resource (one of the two articles, a recommended resource, or the
`editorial` resource for what the editors wrote from general knowledge), the section of it
where the fact is, and the fields of the entry it backs: a field name, or `field:slug` for a
single link of a relation field (`roles:site-reliability-engineer`). No fields: the whole
entry. An entry that mixes an article and editorial content names the fields of each.
"""

from marshmallow import ValidationError, fields, pre_load, validate

from .base import StrictSchema
from .constants import NAME_MAX_LENGTH, SLUG_WORDS
from .fields import Slug, SlugRef, text, text_field

# Fields that are not content: a source cannot be said to back them.
NOT_CONTENT = {"slug", "sources", "embedded"}
FIELD_NAME = rf"^[a-z_]+(?::{SLUG_WORDS})?$"


class SourceSchema(StrictSchema):
    """One source of an entry."""

    resource = SlugRef(
        required=True,
        metadata={
            "description": "Slug of the resource cited (see /v1/resources); `editorial` for "
            "content the editors wrote from general knowledge.",
            "example": "developer-vs-devops-who-does-what",
        },
    )
    title = fields.Function(
        lambda source: source.resource.title,
        dump_only=True,
        metadata={
            "description": "The resource's title, to cite it by name (read-only).",
            "example": "Developer vs. DevOps: Who Does What? (The Ultimate Masterclass)",
        },
    )
    section = text(
        NAME_MAX_LENGTH,
        allow_none=True,
        load_default=None,
        metadata={
            "description": "Where in the resource the facts are (a heading).",
            "example": "7. Technical Comparison Matrix",
        },
    )
    field_names = fields.List(
        fields.String(validate=validate.Regexp(FIELD_NAME)),
        data_key="fields",
        load_default=list,
        metadata={
            "description": "The entry's fields this source backs: field names, or "
            "`field:slug` for one link of a relation field. Empty: the whole entry.",
            "example": ["output", "core_tooling"],
        },
    )
    note = text_field(
        allow_none=True,
        load_default=None,
        metadata={"description": "What the editors want a reader of this source to know."},
    )

    @pre_load
    def ignore_title(self, data, **kwargs):
        """`title` is the resource's: a source copied from a GET may carry it back."""
        if isinstance(data, dict) and "title" in data:
            data = {key: value for key, value in data.items() if key != "title"}
        return data


class SourceList(fields.List):
    """The `sources` of an entry; each named field must be one of the entry's content fields."""

    def __init__(self, **kwargs):
        super().__init__(fields.Nested(SourceSchema), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        sources = super()._deserialize(value, attr, data, **kwargs)
        content = {
            name
            for name, field in self.parent.fields.items()
            if not field.dump_only and name not in NOT_CONTENT
        }
        errors = {}
        for index, source in enumerate(sources):
            wrong = [
                name
                for name in source["field_names"]
                if not _names_content(name, content, data if isinstance(data, dict) else {})
            ]
            if wrong:
                errors[index] = {
                    "fields": [
                        f"Not a field of this entry, or not a link it has: {', '.join(wrong)}. "
                        f"Name some of: {', '.join(sorted(content))} (or field:slug for a link)."
                    ]
                }
        if errors:
            raise ValidationError(errors)
        return sources


def _names_content(name: str, content: set[str], data: dict) -> bool:
    field, _, link = name.partition(":")
    if field not in content:
        return False
    return not link or (isinstance(data.get(field), list) and link in data[field])


def sources_field() -> SourceList:
    return SourceList(
        load_default=list,
        metadata={
            "description": "Where the entry's facts come from: resources with the section and "
            "the fields each backs (`editorial`: written by the editors from general "
            "knowledge). Filter lists with `source=<resource slug>`.",
        },
    )


def source_filter() -> Slug:
    return Slug(
        metadata={
            "description": "Only entries that cite this resource (a resource slug, e.g. "
            "`developer-vs-devops-whats-the-difference` or `editorial`).",
            "example": "developer-vs-devops-who-does-what",
        }
    )
