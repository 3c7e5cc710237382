"""What the web page keeps: clients, decisions, outcomes, the local offering and an audit log.

A client's profile is stored as the library's JSON shape (``ClientProfile`` fields, nested
``zrm``; a missing key is unknown). A decision keeps a copy of the profile as it was, the
shortlist as it was shown and the versions that made it, so the history export
(``matchkit decisions export``) is what the case manager saw, not what the client is now.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

ROLES = ("case_manager", "adviser", "administrator")
"""The three groups; a user's role is the group they are in."""


class Staff(models.Model):
    """The team a user works in (deviation rates are shown per team, never per person)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    team = models.CharField(max_length=100, default="")


class Client(models.Model):
    """One client of one case manager."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    label = models.CharField(max_length=200)
    profile: models.JSONField[Any] = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    @property
    def client_id(self) -> str:
        """The pseudonymous id the library and the history export see (never the label)."""
        return f"web-{self.pk}"


class Decision(models.Model):
    """The approach a case manager chose (empty: none of these / own choice) and why."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="decisions")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    team = models.CharField(max_length=100, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    approach_id = models.CharField(max_length=100, blank=True, default="")
    reason = models.TextField()
    profile: models.JSONField[Any] = models.JSONField()
    shortlist: models.JSONField[Any] = models.JSONField()
    ranked_first = models.CharField(max_length=100, blank=True, default="")
    catalog_version = models.CharField(max_length=64)
    offering_version = models.CharField(max_length=64)
    model_version = models.CharField(max_length=64)

    @property
    def deviates(self) -> bool:
        """Whether the choice differs from the approach ranked first when it was made."""
        return self.approach_id != self.ranked_first


class Outcome(models.Model):
    """What happened after a decision, with the date it was known."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="outcomes")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    date = models.DateField()
    benefit_ended = models.BooleanField(default=False)
    paid_work = models.BooleanField(default=False)
    ladder_up = models.BooleanField(default=False)
    dropped_out = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)


class OfferedApproach(models.Model):
    """An approach offered in one municipality (``area``), or everywhere else (``area=""``).

    The rows make the library's ``mk.Offering``: ``by_area`` from the named areas, ``default``
    from the rows without one. A client's municipality (a profile fact) decides which list
    applies; with no row at all, everything counts as offered.
    """

    area = models.CharField(max_length=100, blank=True, default="")
    approach_id = models.CharField(max_length=100)

    class Meta:
        """An approach is offered once per area."""

        constraints = (
            models.UniqueConstraint(fields=["area", "approach_id"], name="one_offer_per_area"),
        )


class AuditEvent(models.Model):
    """Who did what, when: every view and change. Holds ids, never a client's facts or label."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    username = models.CharField(max_length=150)
    action = models.CharField(max_length=40)
    target = models.CharField(max_length=100, blank=True, default="")
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=300)
