"""Marshmallow schemas: the public contract of the API. Nothing here imports from `api`."""
