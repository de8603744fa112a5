"""Media files on disk, named by the server (organization, then the upload's SHA-256): written to a temporary
file and renamed into place, so a crash mid-write never leaves a half file under a real name."""

from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
from pathlib import Path
from uuid import UUID

EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}


class MediaStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, organization_id: UUID, sha256: str, content_type: str) -> Path:
        # sha256 is validated as 64 hex digits before it gets here; the organization id is a UUID
        return self.root / str(organization_id) / sha256[:2] / f"{sha256}.{EXTENSIONS[content_type]}"

    async def write(self, organization_id: UUID, sha256: str, content_type: str, data: bytes) -> Path:
        return await asyncio.to_thread(self._write, self.path(organization_id, sha256, content_type), data)

    async def read(self, organization_id: UUID, sha256: str, content_type: str) -> bytes | None:
        path = self.path(organization_id, sha256, content_type)
        try:
            return await asyncio.to_thread(path.read_bytes)
        except FileNotFoundError:
            return None

    @staticmethod
    def _write(path: Path, data: bytes) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp)
            raise
        return path

    def sweep_temporaries(self) -> int:
        """Remove temporaries a killed process left behind (run at start-up); returns how many."""
        removed = 0
        if not self.root.exists():
            return 0
        for leftover in self.root.rglob(".upload-*"):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
                removed += 1
        return removed
