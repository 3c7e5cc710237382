"""The Django app of the web page."""

from __future__ import annotations

from django.apps import AppConfig


class WebConfig(AppConfig):
    """The matchkit web app (its tables are named ``web_*``)."""

    name = "matchkit.web"
    label = "web"
    verbose_name = "matchkit"
    default_auto_field = "django.db.models.BigAutoField"
