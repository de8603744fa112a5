"""Errors of the analytics domain."""

from __future__ import annotations

from backend.kit.problems import Invalid


class PeriodInvalid(Invalid):
    type_slug = "analytics-period"
    title = "Not a period the reports cover"
