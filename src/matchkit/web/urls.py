"""The page's addresses."""

from __future__ import annotations

from django.urls import path, re_path
from django.views.static import serve

from matchkit.web import overview, users, views
from matchkit.web.settings import HERE

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("clients/", views.clients, name="clients"),
    path("clients/<int:pk>/", views.intake, name="intake"),
    path("clients/<int:pk>/print/", views.print_reasons, name="print"),
    path("clients/<int:pk>/decide/", views.decide, name="decide"),
    path("clients/<int:pk>/timeline/", views.timeline, name="timeline"),
    path("clients/<int:pk>/decisions/<int:decision_pk>/outcome/", views.outcome, name="outcome"),
    path("catalog/", overview.catalog, name="catalog"),
    path("dashboard/", overview.dashboard, name="dashboard"),
    path("dashboard/report/", overview.report, name="report"),
    path("governance/", overview.governance, name="governance"),
    path("users/", users.users, name="users"),
    path("users/<int:pk>/", users.user_update, name="user_update"),
    # The vendored files (htmx, the stylesheet) are served by the page itself: no CDN.
    re_path(r"^static/(?P<path>.*)$", serve, {"document_root": HERE / "static"}),
]
