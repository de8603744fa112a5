"""RFC 9457 problem details: the base error classes every domain extends, and the one renderer."""

from __future__ import annotations

from typing import Any

import structlog
from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException, PermissionDeniedException, ValidationException
from litestar.exceptions import NotFoundException as LitestarNotFound
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "https://doorstep.dev/problems/"

log = structlog.get_logger(__name__)


class DomainError(HTTPException):
    """An error a domain raises on purpose; it carries its status, a stable type slug and a title."""

    status_code = 400
    type_slug = "bad-request"
    title = "Bad request"

    def __init__(self, detail: str = "", *, extra: dict[str, Any] | None = None, headers: dict[str, str] | None = None):
        super().__init__(detail=detail or self.title, status_code=self.status_code, headers=headers)
        self.problem_extra = extra or {}


class NotFound(DomainError):
    status_code = 404
    type_slug = "not-found"
    title = "Not found"


class Conflict(DomainError):
    status_code = 409
    type_slug = "conflict"
    title = "Conflict"


class Invalid(DomainError):
    status_code = 422
    type_slug = "invalid"
    title = "Invalid input"


class Forbidden(DomainError):
    status_code = 403
    type_slug = "forbidden"
    title = "Forbidden"


_TITLES = {
    400: "Bad request",
    401: "Not authenticated",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Request body too large",
    415: "Unsupported media type",
    422: "Invalid input",
    429: "Too many requests",
    500: "Internal server error",
    503: "Service unavailable",
}


def problem_response(
    request: Request[Any, Any, Any] | None,
    *,
    status: int,
    title: str,
    detail: str,
    type_slug: str,
    extra: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response[dict[str, Any]]:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + type_slug,
        "title": title,
        "status": status,
        "detail": detail,
    }
    if request is not None:
        body["instance"] = request.url.path
    if extra:
        body.update(extra)
    return Response(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def _validation_errors(exc: ValidationException) -> list[dict[str, Any]]:
    """Litestar puts msgspec's messages in `extra`; keep them as a list of {field, message}."""
    errors: list[dict[str, Any]] = []
    extra = exc.extra if isinstance(exc.extra, list) else [exc.extra] if exc.extra else []
    for item in extra:
        if isinstance(item, dict):
            errors.append({"field": item.get("key") or item.get("source"), "message": item.get("message")})
        else:
            errors.append({"field": None, "message": str(item)})
    return errors


def _unwrap(exc: BaseException) -> BaseException:
    """Litestar wraps errors raised while closing dependencies (our commit) in an ExceptionGroup."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        chosen = next((e for e in exc.exceptions if isinstance(e, HTTPException)), exc.exceptions[0])
        exc = chosen
    return exc


def handle_exception(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    """The one renderer: every error leaves the app as problem+json, and a bug never shows its stack."""
    unwrapped = _unwrap(exc)
    if isinstance(unwrapped, Exception):
        exc = unwrapped
    if isinstance(exc, DomainError):
        return problem_response(
            request,
            status=exc.status_code,
            title=exc.title,
            detail=exc.detail,
            type_slug=exc.type_slug,
            extra=exc.problem_extra,
            headers=exc.headers,
        )
    if isinstance(exc, ValidationException):
        errors = _validation_errors(exc)
        detail = "; ".join(str(e["message"]) for e in errors) or exc.detail
        return problem_response(
            request,
            status=400,
            title="Invalid request",
            detail=detail,
            type_slug="validation",
            extra={"errors": errors},
        )
    if isinstance(exc, HTTPException):
        status = exc.status_code
        slug = {
            401: "not-authenticated",
            403: "forbidden",
            404: "not-found",
            405: "method-not-allowed",
            413: "too-large",
            429: "rate-limited",
        }.get(status, "http-error")
        detail = exc.detail
        if isinstance(exc, LitestarNotFound) or status == 404:
            detail = "No such resource"
        elif isinstance(exc, NotAuthorizedException):
            detail = exc.detail or "Sign in first"
        elif isinstance(exc, PermissionDeniedException):
            detail = exc.detail or "Your role does not allow this"
        return problem_response(
            request,
            status=status,
            title=_TITLES.get(status, "Error"),
            detail=detail,
            type_slug=slug,
            headers=exc.headers,
        )
    log.exception("unhandled_error", path=request.url.path, error=type(exc).__name__)
    return problem_response(
        request,
        status=HTTP_500_INTERNAL_SERVER_ERROR,
        title=_TITLES[500],
        detail="Something went wrong on our side; it has been logged.",
        type_slug="internal",
    )


__all__ = [
    "Conflict",
    "DomainError",
    "Forbidden",
    "Invalid",
    "MediaType",
    "NotFound",
    "handle_exception",
    "problem_response",
]
