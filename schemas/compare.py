"""Role comparison: the matrix side by side, and what the roles share or keep to themselves."""

from marshmallow import Schema, ValidationError, fields

from .base import StrictSchema
from .constants import SLUG_MAX_LENGTH, SLUG_WORDS
from .fields import is_slug

MAX_ROLES = 10


class RoleSlugs(fields.String):
    """`developer,devops-engineer`: two or more distinct role slugs, comma-separated."""

    def __init__(self, **kwargs):
        metadata = {
            "pattern": f"^{SLUG_WORDS}(?:,{SLUG_WORDS})+$",
            "maxLength": MAX_ROLES * (SLUG_MAX_LENGTH + 1),
            **kwargs.pop("metadata", {}),
        }
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        slugs = list(dict.fromkeys(text.split(",")))
        malformed = [s for s in slugs if not is_slug(s)]
        if malformed:
            shown = ", ".join(repr(s) for s in malformed[:5])
            raise ValidationError(
                f"Not a role slug: {shown}. Give role slugs separated by commas, no spaces "
                "(see /v1/roles), e.g. developer,devops-engineer."
            )
        if not 2 <= len(slugs) <= MAX_ROLES:
            raise ValidationError(f"Give between 2 and {MAX_ROLES} different roles.")
        return slugs


class CompareArgs(StrictSchema):
    roles = RoleSlugs(
        required=True,
        metadata={
            "description": f"Two to {MAX_ROLES} role slugs, comma-separated (see /v1/roles).",
            "example": "developer,devops-engineer",
        },
    )


class ComparedRoleSchema(Schema):
    slug = fields.String(metadata={"example": "developer"})
    name = fields.String(metadata={"example": "Software Developer"})
    short_name = fields.String(allow_none=True, metadata={"example": "Developer"})
    url = fields.String(metadata={"example": "/v1/roles/developer"})
    version = fields.Integer(metadata={"description": "The role's version, to pin a citation."})


class CellSourceSchema(Schema):
    resource = fields.String(metadata={"example": "developer-vs-devops-who-does-what"})
    title = fields.String(
        metadata={"example": "Developer vs. DevOps: Who Does What? (The Ultimate Masterclass)"}
    )
    section = fields.String(allow_none=True, metadata={"example": "7. Technical Comparison Matrix"})
    url = fields.String(metadata={"example": "/v1/resources/developer-vs-devops-who-does-what"})


class AspectSchema(Schema):
    aspect = fields.String(metadata={"example": "key_metric"})
    label = fields.String(metadata={"example": "Key metric"})
    values = fields.Dict(
        keys=fields.String(),
        values=fields.String(allow_none=True),
        metadata={
            "description": "Role slug → what the role says on this aspect (null: not stated).",
            "example": {
                "developer": "Number of features shipped and sprint velocity.",
                "devops-engineer": "Mean time to recovery and deployment frequency.",
            },
        },
    )
    sources = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.Nested(CellSourceSchema)),
        metadata={
            "description": "Role slug → the sources of that role's value: an article and its "
            "section, or `editorial` where the editors wrote the cell from general knowledge."
        },
    )


class LinkedEntrySchema(Schema):
    slug = fields.String(metadata={"example": "docker"})
    name = fields.String(metadata={"example": "Docker"})
    url = fields.String(metadata={"example": "/v1/tools/docker"})


class PartlySharedSchema(LinkedEntrySchema):
    roles = fields.List(fields.String(), metadata={"description": "The roles that have it."})


class OverlapSchema(Schema):
    shared = fields.List(
        fields.Nested(LinkedEntrySchema), metadata={"description": "Entries every role has."}
    )
    only = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.Nested(LinkedEntrySchema)),
        metadata={"description": "Role slug → entries no other compared role has."},
    )
    partly = fields.List(
        fields.Nested(PartlySharedSchema),
        metadata={"description": "With three roles or more: entries some, not all, share."},
    )


class ComparisonSchema(Schema):
    roles = fields.List(fields.Nested(ComparedRoleSchema))
    matrix = fields.List(fields.Nested(AspectSchema))
    responsibilities = fields.Nested(OverlapSchema)
    tools = fields.Nested(OverlapSchema)
    metrics = fields.Nested(OverlapSchema)
