"""kill -9 during uploads (RELIABILITY 21): a real `doorstep serve` is killed while 50 photos are in flight;
after a restart every media row has its file, every file matches the SHA-256 recorded for it, no temporary
is left behind, and the phone's retries complete the set."""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from tests.e2e.conftest import _free_port, _health_status

PASSWORD = "crash-test-" + "x" * 8
UPLOADS = 50


def noisy_jpeg(seed: int) -> bytes:
    """~300 KB of random pixels: big enough to be mid-write when the process dies."""
    rng = random.Random(seed)
    image = Image.frombytes("RGB", (480, 360), bytes(rng.getrandbits(8) for _ in range(480 * 360 * 3)))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95)
    return out.getvalue()


def start(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    doorstep = Path(sys.executable).parent / "doorstep"
    with log.open("ab") as out:
        process = subprocess.Popen(
            [str(doorstep), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    deadline = time.monotonic() + 60
    while _health_status(f"http://127.0.0.1:{port}") != 200:
        assert process.poll() is None, log.read_text()[-3000:]
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.2)
    return process


async def sign_in(base: str) -> tuple[httpx.AsyncClient, dict[str, str]]:
    client = httpx.AsyncClient(base_url=base, timeout=30)
    response = await client.post("/api/auth/login", json={"email": "driver@crash.example.com", "password": PASSWORD})
    assert response.status_code == 200, response.text
    return client, {"X-CSRF-Token": response.json()["csrf_token"], "Content-Type": "image/jpeg"}


async def upload_all(base: str, photos: list[bytes], signed_in: Any = None) -> list[int | None]:
    client, headers = signed_in or await sign_in(base)

    async def one(data: bytes) -> int | None:
        try:
            response = await client.put(f"/api/media/{hashlib.sha256(data).hexdigest()}", content=data, headers=headers)
        except httpx.HTTPError:
            return None  # the server died under it
        return response.status_code

    try:
        return list(await asyncio.gather(*(one(p) for p in photos)))
    finally:
        await client.aclose()


def test_a_server_killed_mid_upload_leaves_no_damaged_or_half_written_media(tmp_path: Path) -> None:
    if os.environ.get("DOORSTEP_E2E_BASE_URL"):
        pytest.skip("needs a server this test starts and kills itself")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DOORSTEP_INSTANCE_DIR": str(tmp_path),
        "DOORSTEP_ENV": "dev",
        "DOORSTEP_NEW_PASSWORD": PASSWORD,
    }
    env.pop("DOORSTEP_DATABASE_URL", None)
    env.pop("DOORSTEP_REDIS_URL", None)
    doorstep = Path(sys.executable).parent / "doorstep"
    for argv in (
        ["migrate"],
        [
            "createuser",
            "--email",
            "driver@crash.example.com",
            "--name",
            "Crash Driver",
            "--role",
            "driver",
            "--organization",
            "Crash Test",
        ],
    ):
        subprocess.run([str(doorstep), *argv], env=env, check=True, capture_output=True, timeout=120)
    photos = [noisy_jpeg(seed) for seed in range(UPLOADS)]
    log = tmp_path / "server.log"
    rng = random.Random(21)

    interrupted = 0
    for round_ in range(3):  # killed at a different moment each time
        server = start(env, port, log)

        async def kill_during_uploads() -> list[int | None]:
            signed_in = await sign_in(base)
            uploads = asyncio.create_task(upload_all(base, photos, signed_in))
            await asyncio.sleep(rng.uniform(0.05, 0.6))
            os.kill(server.pid, signal.SIGKILL)
            return await uploads

        codes = asyncio.run(kill_during_uploads())
        server.wait(timeout=10)
        assert all(code in (None, 200, 201) for code in codes), (round_, codes)
        interrupted += codes.count(None)
    assert interrupted > 0, "the kills must land while uploads are in flight"

    server = start(env, port, log)  # the restart sweeps what the kills left
    try:
        media_dir = tmp_path / "media"
        assert not list(media_dir.rglob(".upload-*")), "temporaries of killed writes are swept at start-up"
        with sqlite3.connect(tmp_path / "doorstep.db") as db:
            rows = db.execute("SELECT sha256, content_type, stored_sha256 FROM media").fetchall()
        extension = {"image/jpeg": "jpg"}
        for sha, content_type, stored in rows:
            files = list(media_dir.rglob(f"{sha}.{extension[content_type]}"))
            assert len(files) == 1, f"row {sha} has no file"
            assert hashlib.sha256(files[0].read_bytes()).hexdigest() == stored, f"{sha}: damaged file"
        # the phone's outbox retries every upload it has no answer for: all land, and read back whole
        codes = asyncio.run(upload_all(base, photos))
        assert all(code in (200, 201) for code in codes), codes

        async def read_back() -> None:
            client, _ = await sign_in(base)
            try:
                for data in photos:
                    response = await client.get(f"/api/media/{hashlib.sha256(data).hexdigest()}")
                    assert response.status_code == 200
                    Image.open(io.BytesIO(response.content)).verify()
            finally:
                await client.aclose()

        asyncio.run(read_back())
        with sqlite3.connect(tmp_path / "doorstep.db") as db:
            assert db.execute("SELECT count(*) FROM media").fetchone()[0] == UPLOADS
    finally:
        server.terminate()
        server.wait(timeout=10)
