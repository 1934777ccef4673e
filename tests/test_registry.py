"""The collection declarations agree with their schemas and models."""

import dataclasses

import pytest

from api.registry import COLLECTIONS

SHAPING_ARGS = {"page", "page_size", "sort", "only", "expand"}


@pytest.mark.parametrize("collection", COLLECTIONS, ids=lambda c: c.name)
def test_every_filter_argument_has_a_query(collection):
    arguments = set(collection.list_args._declared_fields) - SHAPING_ARGS
    assert arguments == set(collection.filters)


@pytest.mark.parametrize("collection", COLLECTIONS, ids=lambda c: c.name)
def test_every_sort_key_is_a_column(collection):
    sort = collection.list_args._declared_fields["sort"]
    columns = set(collection.model.__table__.columns.keys())
    assert set(sort.choices) <= columns
    assert set(collection.default_sort) <= columns


@pytest.mark.parametrize("collection", COLLECTIONS, ids=lambda c: c.name)
def test_every_expandable_relation_is_a_relationship(collection):
    relationships = set(collection.model.__mapper__.relationships.keys())
    assert set(collection.schema.EXPAND) <= relationships


@pytest.mark.parametrize("collection", COLLECTIONS, ids=lambda c: c.name)
def test_the_spec_examples_name_real_content(client, collection):
    """The examples a tool-calling model copies from the spec must answer with content."""
    entry = client.get(f"/v1/{collection.name}/{collection.example_slug}")
    assert entry.status_code == 200
    listed = client.get(f"/v1/{collection.name}?{collection.example_query}")
    assert listed.status_code == 200
    assert listed.json, f"/v1/{collection.name}?{collection.example_query} is empty"


def test_a_list_argument_no_filter_stands_for_is_refused_at_declaration():
    """Filters are derived from the list arguments: one that names nothing cannot be declared."""
    roles = next(c for c in COLLECTIONS if c.name == "roles")
    args = type("WizardListArgs", (roles.list_args,), {"FILTERS": ("wizard",)})
    with pytest.raises(ValueError, match="'wizard'"):
        dataclasses.replace(roles, list_args=args)


def test_search_types_are_the_collections_labels():
    from schemas.search import TYPES

    assert sorted(TYPES) == sorted(c.label for c in COLLECTIONS)


def test_derived_filters_follow_the_list_arguments_in_order():
    for collection in COLLECTIONS:
        assert tuple(collection.filters) == collection.list_args.FILTERS
