"""Base schemas: the fields every entry carries, list query arguments, problem details."""

import re

from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    class_registry,
    fields,
    pre_load,
    validate,
)

from .constants import API_PREFIX, MAX_INT32
from .fields import CommaSeparated, Slug

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20


class StrictSchema(Schema):
    """A schema that refuses unknown fields instead of dropping them silently."""

    class Meta:
        unknown = RAISE


class EntrySchema(StrictSchema):
    """Fields shared by every entry. Subclasses set COLLECTION and RELATED.

    RELATED maps a link name to the filtered collection that lists the related entries,
    e.g. {"tools": "tools?role={slug}"}. EXPAND maps each relation that `expand` can embed
    to the schema of the embedded entries.
    """

    COLLECTION = ""
    RELATED: dict[str, str] = {}
    EXPAND: dict[str, str] = {}

    slug = Slug(required=True, metadata={"description": "Stable identifier used in URLs."})
    version = fields.Integer(
        dump_only=True,
        metadata={"description": "Grows by one with each change.", "example": 1},
    )
    created_at = fields.DateTime(
        dump_only=True, metadata={"description": "When it was created (UTC)."}
    )
    updated_at = fields.DateTime(
        dump_only=True, metadata={"description": "When it last changed (UTC)."}
    )
    links = fields.Method(
        "get_links",
        dump_only=True,
        metadata={
            "type": "object",
            "additionalProperties": {"type": "string"},
            "description": "URLs of this entry (`self`) and of the lists of related entries.",
            "example": {"self": "/v1/roles/developer", "tools": "/v1/tools?role=developer"},
        },
    )

    @pre_load
    def refuse_read_only(self, data, **kwargs):
        """Fields the server sets are refused by name, not reported as unknown."""
        if isinstance(data, dict):
            read_only = [k for k in data if k in self.fields and self.fields[k].dump_only]
            if read_only:
                # Raised here, before field validation: report unknown fields with them.
                errors = {k: ["Read-only: set by the server."] for k in read_only}
                errors.update({k: ["Unknown field."] for k in data if k not in self.fields})
                raise ValidationError(errors)
        return data

    def get_links(self, obj) -> dict[str, str]:
        links = {"self": f"{API_PREFIX}/{self.COLLECTION}/{obj.slug}"}
        for name, template in self.RELATED.items():
            links[name] = f"{API_PREFIX}/{template.format(slug=obj.slug)}"
        return links


def entry_type(entry_schema: type[EntrySchema]) -> str:
    """The type of an entry, singular and lowercase: `sub-discipline` (SubDisciplineSchema).

    Search hits and their `type` filter name entries by it; so do messages about one entry.
    """
    singular = entry_schema.__name__.removesuffix("Schema")
    return re.sub(r"(?<!^)(?=[A-Z])", "-", singular).lower()


class ListArgsSchema(StrictSchema):
    """Query arguments every list accepts: pagination."""

    # The arguments that filter the list, in order (api/filters.py turns each into a query).
    FILTERS: tuple[str, ...] = ()

    page = fields.Integer(
        load_default=1,
        validate=validate.Range(1, MAX_INT32),
        metadata={"description": "Page number, from 1.", "example": 1},
    )
    page_size = fields.Integer(
        load_default=DEFAULT_PAGE_SIZE,
        validate=validate.Range(1, MAX_PAGE_SIZE),
        metadata={"description": f"Items per page, 1 to {MAX_PAGE_SIZE}.", "example": 20},
    )


def _partial(schema_name: str):
    """A Nested target resolved late (schemas refer to each other) and documented partial."""
    return lambda: class_registry.get_class(schema_name)(partial=True)


def embedded_field(owner: str, relations: dict[str, str]) -> fields.Nested:
    """The dump-only `embedded` object: one list of full entries per expanded relation."""
    schema = type(
        f"{owner}EmbeddedSchema",
        (Schema,),
        {name: fields.List(fields.Nested(_partial(target))) for name, target in relations.items()},
    )
    return fields.Nested(
        schema, dump_only=True, metadata={"description": "Related entries, present with `expand`."}
    )


def _representation_args(entry_schema: type[EntrySchema]) -> dict[str, fields.Field]:
    """Arguments shaping one representation: a sparse fieldset and embedded relations."""
    names = tuple(entry_schema._declared_fields)
    attrs: dict[str, fields.Field] = {
        "only": CommaSeparated(
            names,
            data_key="fields",
            metadata={
                "description": "Sparse fieldset: return only these fields. "
                f"Allowed: {', '.join(names)}.",
                "example": "slug,links",
            },
        )
    }
    expand = tuple(entry_schema.EXPAND)
    if expand:
        attrs["expand"] = CommaSeparated(
            expand,
            metadata={
                "description": "Embed the related entries under `embedded`. "
                f"Allowed: {', '.join(expand)}.",
                "example": expand[0],
            },
        )
    return attrs


def list_args(
    entry_schema: type[EntrySchema],
    *,
    sort: tuple[str, ...] = (),
    **filters: fields.Field,
) -> type[ListArgsSchema]:
    """Build the query-arguments schema of one collection's list operation."""
    sortable = ("slug", *sort, "created_at", "updated_at")
    attrs: dict[str, fields.Field] = dict(filters)
    if "sources" in entry_schema._declared_fields:
        from .sources import source_filter  # sources.py builds on this module

        attrs["source"] = source_filter()
    filter_names = tuple(attrs)
    attrs["sort"] = CommaSeparated(
        sortable,
        signed=True,
        metadata={
            "description": "Comma-separated sort keys, `-` for descending. "
            f"Allowed: {', '.join(sortable)}.",
            "example": "-updated_at,slug",
        },
    )
    attrs.update(_representation_args(entry_schema))
    name = entry_schema.__name__.removesuffix("Schema") + "ListArgs"
    return type(name, (ListArgsSchema,), {**attrs, "FILTERS": filter_names})


def item_args(entry_schema: type[EntrySchema]) -> type[StrictSchema]:
    """Build the query-arguments schema of one collection's item operation."""
    name = entry_schema.__name__.removesuffix("Schema") + "ItemArgs"
    return type(name, (StrictSchema,), _representation_args(entry_schema))


class ProblemSchema(Schema):
    """An RFC 9457 problem details object."""

    type = fields.String(
        metadata={
            "description": "URI reference naming the kind of problem.",
            "example": "/problems/not-found",
        }
    )
    title = fields.String(
        metadata={"description": "Short summary of the kind of problem.", "example": "Not Found"}
    )
    status = fields.Integer(metadata={"description": "The HTTP status code.", "example": 404})
    detail = fields.String(
        metadata={"description": "What went wrong with this request and how to fix it."}
    )
    instance = fields.String(
        metadata={"description": "The path that was requested.", "example": "/v1/roles/nobody"}
    )
    errors = fields.Dict(
        metadata={"description": "For validation problems: each offending field with its messages."}
    )
    errors_left_out = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        metadata={
            "description": "How many messages were left out of `errors`, per field shown: "
            "at most 5 per field and 25 in all are given.",
            "example": {"tags": 985},
        },
    )
    fields_left_out = fields.Integer(
        metadata={
            "description": "How many offending fields `errors` leaves out: at most 20 are named.",
            "example": 3,
        }
    )
