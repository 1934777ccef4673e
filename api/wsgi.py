"""WSGI entry point for production servers: `granian --interface wsgi api.wsgi:app`."""

from . import create_app

app = create_app()
