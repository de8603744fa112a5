"""`/health`: the database answers (and Redis, when configured); 503 otherwise."""

from __future__ import annotations

import asyncio
from typing import Any

from litestar import Response, get
from litestar.datastructures import State
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

CHECK_TIMEOUT_S = 3.0


async def _database_ok(engine: AsyncEngine) -> bool:
    try:
        async with asyncio.timeout(CHECK_TIMEOUT_S), engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        return True
    except Exception:
        return False


async def _redis_ok(redis: Any) -> bool:
    try:
        async with asyncio.timeout(CHECK_TIMEOUT_S):
            return bool(await redis.ping())
    except Exception:
        return False


@get("/health", operation_id="health", tags=["ops"], summary="Liveness and dependencies")
async def health(state: State) -> Response[dict[str, str]]:
    checks: dict[str, str] = {"database": "ok" if await _database_ok(state["db_engine"]) else "down"}
    redis = state.get("redis")
    checks["redis"] = "not configured" if redis is None else ("ok" if await _redis_ok(redis) else "down")
    healthy = all(v != "down" for v in checks.values())
    return Response({"status": "ok" if healthy else "degraded", **checks}, status_code=200 if healthy else 503)
