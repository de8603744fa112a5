"""Errors of the accounts domain."""

from __future__ import annotations

from backend.kit.problems import Conflict, DomainError, Invalid, NotFound


class InvalidCredentials(DomainError):
    status_code = 401
    type_slug = "invalid-credentials"
    title = "Email or password is wrong"


class UserNotFound(NotFound):
    title = "User not found"


class ApiKeyNotFound(NotFound):
    title = "API key not found"


class EmailTaken(Conflict):
    type_slug = "email-taken"
    title = "A user with this email exists"


class WeakPassword(Invalid):
    type_slug = "weak-password"
    title = "Password too short"


class CsrfFailed(DomainError):
    status_code = 403
    type_slug = "csrf"
    title = "Missing or wrong CSRF token"


class ApiKeyNameTaken(Conflict):
    type_slug = "name-taken"
    title = "An API key with this name exists"
