"""The unit of work: one session per request or background job, committed once on success."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable
from contextlib import asynccontextmanager
from typing import Any

from litestar.datastructures import State
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.kit.problems import Conflict, DomainError

SESSION_FACTORY_KEY = "db_session_factory"
COMMIT_LISTENERS_KEY = "db_commit_listeners"


class DatabaseUnavailable(DomainError):
    status_code = 503
    type_slug = "database-unavailable"
    title = "Database unavailable"


@asynccontextmanager
async def transaction(
    factory: async_sessionmaker[AsyncSession], on_commit: list[Callable[[], Any]] | None = None
) -> AsyncGenerator[AsyncSession, None]:
    """Commit when the block ends without error, roll back otherwise; services never commit."""
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
    for listener in on_commit or ():
        listener()


async def provide_db_session(state: State) -> AsyncGenerator[AsyncSession, None]:
    """Litestar dependency: the handler runs inside one transaction, committed before the response is sent."""
    async with transaction(state[SESSION_FACTORY_KEY], state.get(COMMIT_LISTENERS_KEY)) as session:
        yield session
