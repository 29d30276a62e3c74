"""The unit of work: one transaction that owns the state change and its events."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncTransaction

from regulars.shared.contracts.events import Event
from regulars.shared.messaging.outbox import add_to_outbox


class UnitOfWork:
    """``async with UnitOfWork(engine) as uow:`` runs one transaction.

    ``uow.publish(event)`` writes the event to the outbox inside that transaction,
    so the event exists if and only if the change committed. Leaving the block
    normally commits; an exception rolls everything back.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._conn: AsyncConnection | None = None
        self._tx: AsyncTransaction | None = None
        self.events: list[Event] = []

    @property
    def conn(self) -> AsyncConnection:
        if self._conn is None:
            raise RuntimeError("unit of work used outside its 'async with' block")
        return self._conn

    async def __aenter__(self) -> UnitOfWork:
        self._conn = await self._engine.connect()
        self._tx = await self._conn.begin()
        self.events = []
        return self

    async def publish(self, event: Event) -> None:
        await add_to_outbox(self.conn, event)
        self.events.append(event)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._conn is not None
        assert self._tx is not None
        try:
            if exc_type is None:
                await self._tx.commit()
            else:
                await self._tx.rollback()
        finally:
            await self._conn.close()
            self._conn = None
            self._tx = None
