"""The WSGI application (for a WSGI server of the municipality's choice)."""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "matchkit.web.settings")
application = get_wsgi_application()
