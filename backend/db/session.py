"""The unit of work: one session per request or background job, committed once on success."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable
from contextlib import asynccontextmanager
from typing import Any

import structlog
from litestar.datastructures import State
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.kit.problems import Conflict, DomainError

SESSION_FACTORY_KEY = "db_session_factory"
COMMIT_LISTENERS_KEY = "db_commit_listeners"
_AFTER_COMMIT = "after_commit"  # session.info: what this unit of work asked to run once it has committed


log = structlog.get_logger(__name__)


class DatabaseUnavailable(DomainError):
    status_code = 503
    type_slug = "database-unavailable"
    title = "Database unavailable"


@asynccontextmanager
async def transaction(
    factory: async_sessionmaker[AsyncSession], on_commit: list[Callable[[], Any]] | None = None
) -> AsyncGenerator[AsyncSession, None]:
    """Commit when the block ends without error, roll back otherwise; services never commit. Then what the
    block asked for with `after_commit`, and the `on_commit` listeners."""
    async with factory() as session:
        try:
            yield session
            await session.commit()
        except IntegrityError as exc:
            await session.rollback()
            raise Conflict("This conflicts with existing data (a duplicate or a missing reference).") from exc
        except OperationalError as exc:
            await session.rollback()
            raise DatabaseUnavailable("The database did not answer; try again shortly.") from exc
        except BaseException:
            await session.rollback()
            raise
        callbacks: list[Callable[[], Any]] = session.info.pop(_AFTER_COMMIT, [])
    for callback in callbacks:
        try:
            callback()
        except Exception:  # committed already: one failing follow-up must not undo the others, nor the answer
            log.exception("after_commit_failed", callback=getattr(callback, "__qualname__", repr(callback)))
    for listener in on_commit or ():
        listener()


def after_commit(session: AsyncSession, callback: Callable[[], Any]) -> None:
    """Run `callback` once the `transaction` this session belongs to has committed, never if it rolls back: for
    work that needs what the transaction wrote, or the database lock it holds (SQLite's single writer). Only
    sessions made by `transaction()` run them; a savepoint rolled back does not take back what was asked in it."""
    session.info.setdefault(_AFTER_COMMIT, []).append(callback)


async def provide_db_session(state: State) -> AsyncGenerator[AsyncSession, None]:
    """Litestar dependency: the handler runs inside one transaction, committed before the response is sent."""
    async with transaction(state[SESSION_FACTORY_KEY], state.get(COMMIT_LISTENERS_KEY)) as session:
        yield session
