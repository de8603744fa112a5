"""Serving the built PWA: hashed assets with long caching, everything else falls back to index.html."""

from __future__ import annotations

import mimetypes
from pathlib import Path

from litestar import Response, Router, get
from litestar.datastructures import CacheControlHeader, State
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import File
from litestar.static_files import create_static_files_router

from backend.settings import PROJECT_ROOT

PWA_DIST = PROJECT_ROOT / "pwa" / "dist"
# paths that belong to the server, never to the app shell: an unknown one is a 404, not index.html
SERVER_PREFIXES = ("api/", "ws/", "schema", "health", "metrics", "assets/")
NOT_BUILT = (
    "<!doctype html><title>Doorstep</title><p>The web app is not built yet. Run <code>make demo</code> "
    "(or <code>npm --prefix pwa run build</code>). The API is up: see <a href='/schema'>/schema</a>.</p>"
)


def media_type(path: Path) -> str:
    # the service worker must be served as JavaScript or browsers refuse to register it
    if path.suffix == ".webmanifest":
        return "application/manifest+json"
    return mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def assets_router(dist: Path = PWA_DIST) -> Router:
    return create_static_files_router(
        path="/assets",
        directories=[dist / "assets"],
        # file names carry their content hash, so a year of caching is safe
        cache_control=CacheControlHeader(public=True, max_age=31_536_000, immutable=True),
        name="pwa_assets",
        include_in_schema=False,
    )


@get("/", include_in_schema=False, sync_to_thread=False, name="pwa_index")
def index(state: State) -> Response[str] | File:
    return _serve(state.get("pwa_dist", PWA_DIST), "")


@get("/{path:path}", include_in_schema=False, sync_to_thread=False, name="pwa_shell")
def shell(state: State, path: FromPath[str]) -> Response[str] | File:
    return _serve(state.get("pwa_dist", PWA_DIST), path)


def _serve(dist: Path, path: str) -> Response[str] | File:
    relative = path.lstrip("/")
    if relative.startswith(SERVER_PREFIXES):
        raise NotFoundException()
    if relative:
        candidate = (dist / relative).resolve()
        if candidate.is_file() and candidate.is_relative_to(dist.resolve()):
            return File(
                candidate,
                filename=candidate.name,
                media_type=media_type(candidate),
                content_disposition_type="inline",
                headers={"Cache-Control": "no-cache"},
            )
    index = dist / "index.html"
    if not index.is_file():
        return Response(NOT_BUILT, media_type="text/html", status_code=200)
    return File(
        index,
        filename="index.html",
        content_disposition_type="inline",
        media_type="text/html",
        headers={"Cache-Control": "no-cache"},
    )
