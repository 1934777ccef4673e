"""Revisions of an entry and the change feed."""

from marshmallow import Schema, fields, validate

from .base import StrictSchema
from .constants import CURSOR_PATTERN

ACTIONS = ("created", "updated", "deleted", "restored")


class RevisionSchema(Schema):
    """One change to one entry, with the entry's content after it (before it, for a delete)."""

    collection = fields.String(metadata={"example": "faqs"})
    slug = fields.String(metadata={"example": "what-is-calms"})
    version = fields.Integer(metadata={"description": "The entry's version after the change."})
    action = fields.String(validate=validate.OneOf(ACTIONS), metadata={"example": "updated"})
    changed = fields.List(fields.String(), metadata={"description": "Fields that changed."})
    author = fields.String(metadata={"description": "Name of the API key that made it."})
    message = fields.String(allow_none=True, metadata={"description": "From X-Change-Message."})
    created_at = fields.DateTime(metadata={"description": "When it was committed (UTC)."})
    snapshot = fields.Dict(metadata={"description": "The entry's content at this version."})
    links = fields.Dict(keys=fields.String(), values=fields.String())


class ChangeSchema(Schema):
    """One event of the change feed."""

    cursor = fields.String(
        metadata={"description": "Pass as `since` to get the changes after this one."}
    )
    collection = fields.String(metadata={"example": "tools"})
    slug = fields.String(metadata={"example": "docker"})
    version = fields.Integer()
    action = fields.String(validate=validate.OneOf(ACTIONS))
    changed = fields.List(fields.String())
    author = fields.String()
    created_at = fields.DateTime()
    links = fields.Dict(keys=fields.String(), values=fields.String())


class ChangesArgs(StrictSchema):
    since = fields.String(
        validate=validate.Regexp(CURSOR_PATTERN, error="Not a cursor this API gives out."),
        metadata={
            "description": "A `cursor` from an earlier change: only what came after it. "
            "Omit to start from the beginning.",
            "pattern": CURSOR_PATTERN,
            "example": "c42",
        },
    )
    limit = fields.Integer(
        load_default=100,
        validate=validate.Range(1, 1000),
        metadata={"description": "At most this many changes (1 to 1000)."},
    )
