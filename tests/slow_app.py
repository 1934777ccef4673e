"""The production app (api.wsgi), made slow on request: for the graceful-shutdown test only.

A request with an `X-Test-Delay: <seconds>` header waits that long before the real app
answers it; before waiting it creates the file named by SLOW_REQUEST_STARTED (if set), so
the test knows the request is in flight. Every other request goes straight to the app.
"""

import os
import time
from pathlib import Path

from api.wsgi import app as api_app


def app(environ, start_response):
    delay = environ.get("HTTP_X_TEST_DELAY")
    if delay:
        started = os.environ.get("SLOW_REQUEST_STARTED")
        if started:
            Path(started).touch()
        time.sleep(float(delay))
    return api_app(environ, start_response)
