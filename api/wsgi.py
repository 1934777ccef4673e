"""WSGI entry point for production servers: `granian --interface wsgi api.wsgi:app`."""

from . import create_app

flask_app = create_app()
# The app's WSGI layers themselves (api.compose): what Flask.__call__ would call, without its
# frame on every request.
app = flask_app.wsgi_app
