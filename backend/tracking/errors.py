"""Errors of the tracking domain."""

from backend.kit.problems import Conflict, DomainError, NotFound


class TrackingLinkNotFound(NotFound):
    type_slug = "tracking-link-not-found"
    title = "This tracking link is not valid"


class TrackingLinkExpired(DomainError):
    status_code = 410
    type_slug = "tracking-link-expired"
    title = "This tracking link has expired"


class InstructionsLocked(Conflict):
    type_slug = "instructions-locked"
    title = "Delivery instructions can no longer be changed"
