"""The API root and health answers."""

from marshmallow import Schema, fields


class CollectionLinkSchema(Schema):
    name = fields.String(metadata={"example": "tools"})
    title = fields.String(metadata={"example": "Tools"})
    description = fields.String()
    url = fields.String(metadata={"example": "/v1/tools"})
    count = fields.Integer(metadata={"description": "Entries in the collection.", "example": 32})


class RootSchema(Schema):
    name = fields.String(metadata={"example": "Who Does What"})
    version = fields.String(metadata={"description": "API version.", "example": "1.0.0"})
    description = fields.String()
    collections = fields.List(fields.Nested(CollectionLinkSchema))
    links = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        metadata={"example": {"docs": "/docs", "openapi": "/openapi.json"}},
    )


class HealthSchema(Schema):
    status = fields.String(metadata={"example": "ok"})
