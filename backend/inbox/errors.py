"""Errors of the inbox."""

from __future__ import annotations

from backend.kit.problems import DomainError, NotFound


class InboxDayInvalid(DomainError):
    status_code = 400
    type_slug = "inbox-day"
    title = "Not a day the inbox covers"


class InboxItemNotFound(NotFound):
    type_slug = "inbox-item-not-found"
    title = "No such item in the inbox"
