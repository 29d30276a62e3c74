"""argon2id password hashing in a bounded thread pool, off the event loop.

argon2-cffi releases the GIL while hashing, so ``workers`` threads use that many
cores; the semaphore caps the waiting line so a flood of sign-ins is shed with a
503 instead of queuing without end.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from regulars.shared.domain_errors import Unavailable
from regulars.shared.settings import Settings


class PasswordHashing:
    def __init__(
        self, *, time_cost: int = 2, memory_kib: int = 19456, parallelism: int = 1, workers: int = 2, queue: int = 256
    ) -> None:
        self.hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism, type=Type.ID)
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="argon2")
        self._slots = asyncio.Semaphore(queue)
        self._queue = queue
        # Verified against when the email is unknown, so that answer takes as long as a wrong password.
        self._dummy = self.hasher.hash("regulars-dummy-password")

    @classmethod
    def from_settings(cls, settings: Settings) -> PasswordHashing:
        return cls(
            time_cost=settings.password_hash_time_cost,
            memory_kib=settings.password_hash_memory_kib,
            workers=settings.password_hash_workers,
        )

    async def _run(self, fn: object, *args: str) -> object:
        if self._slots.locked():
            raise Unavailable("busy", "Too many sign-ins at once; try again in a moment.")
        async with self._slots:
            return await asyncio.get_running_loop().run_in_executor(self._pool, fn, *args)  # type: ignore[arg-type]

    async def hash(self, password: str) -> str:
        return str(await self._run(self.hasher.hash, password))

    async def verify(self, stored: str | None, password: str) -> bool:
        """True when ``password`` matches; with ``stored`` None, a dummy check of equal cost."""
        return bool(await self._run(self._verify, stored or self._dummy, password)) and stored is not None

    def _verify(self, stored: str, password: str) -> bool:
        try:
            return self.hasher.verify(stored, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored: str) -> bool:
        """True when ``stored`` was made with weaker parameters than today's."""
        return self.hasher.check_needs_rehash(stored)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
