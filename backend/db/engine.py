"""Engine and session factory: SQLite gets WAL and foreign keys, PostgreSQL a pooled asyncpg engine."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import ORMExecuteState, Session


def create_engine(database_url: str, *, echo: bool = False) -> AsyncEngine:
    if database_url.startswith("sqlite"):
        _ensure_sqlite_dir(database_url)
        engine = create_async_engine(
            database_url,
            echo=echo,
            # each request gets its own connection; SQLite's file locking serialises writers, and a
            # busy timeout makes a second writer wait instead of failing with "database is locked"
            connect_args={"timeout": 30},
        )

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    return create_async_engine(database_url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=20)


def _ensure_sqlite_dir(database_url: str) -> None:
    path = make_url(database_url).database
    if path and path != ":memory:" and not path.startswith("file:"):
        Path(path).parent.mkdir(parents=True, exist_ok=True)


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


@event.listens_for(Session, "do_orm_execute")
def _sqlite_lock_for_update(state: ORMExecuteState) -> None:
    """SELECT ... FOR UPDATE on SQLite: the driver reads outside any transaction until the first write, and
    SQLite has no row locks, so two requests could both read "ready" and both hand a parcel over. A locking
    read there starts the transaction with BEGIN IMMEDIATE instead: the second writer waits for the first to
    commit (the busy timeout), then reads what it wrote. PostgreSQL locks the rows themselves."""
    if not state.is_select or getattr(state.statement, "_for_update_arg", None) is None:
        return
    connection = state.session.connection()
    if connection.dialect.name != "sqlite":
        return
    driver = getattr(connection.connection.dbapi_connection, "_connection", None)  # aiosqlite's Connection
    if driver is not None and not driver.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
