from __future__ import annotations

from backend.kit.problems import DomainError, Invalid, NotFound


class MediaNotFound(NotFound):
    type_slug = "media-not-found"
    title = "Media not found"


class HashMismatch(Invalid):
    status_code = 400
    type_slug = "media-hash-mismatch"
    title = "The body does not match its SHA-256"


class MediaRefused(DomainError):
    status_code = 415
    type_slug = "media-refused"
    title = "Not an accepted image"
