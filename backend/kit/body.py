"""Reading a request body with a limit that holds for chunked uploads too (no Content-Length to trust)."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.exceptions import HTTPException
from litestar.status_codes import HTTP_413_REQUEST_ENTITY_TOO_LARGE


async def read_limited(request: Request[Any, Any, Any], limit: int, *, what: str = "Bodies") -> bytes:
    """Read the body, refusing it (413) as soon as it passes `limit`, chunked uploads included."""
    too_large = HTTPException(
        status_code=HTTP_413_REQUEST_ENTITY_TOO_LARGE, detail=f"{what} are limited to {limit} bytes"
    )
    if request.content_length is not None and request.content_length > limit:
        raise too_large
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)
