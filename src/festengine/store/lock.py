"""One writer per store: an exclusive, non-blocking lock on ``<store>.lock``, held while the store is open.

The operating system releases the lock when its holder exits, even when it is killed, so a crashed
writer never blocks the next one. Readers take no lock (WAL lets them read while the writer writes).
The lock is per open file, so a second writer in the same process is refused too.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from festengine.errors import StoreError

__all__ = ["WriterLock"]


class WriterLock:
    """The store's writer lock; :meth:`acquire` refuses at once if another writer holds it."""

    def __init__(self, store_path: Path) -> None:
        self.store_path = store_path
        self.path = store_path.with_name(store_path.name + ".lock")
        self._fd: int | None = None

    def acquire(self) -> None:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            _lock(fd)
        except OSError:
            os.close(fd)
            raise StoreError(
                f"{self.store_path}: another writer has this store open (its lock {self.path} is held); "
                "a store takes one writer at a time"
            ) from None
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the file releases the lock
            self._fd = None


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _lock(fd: int) -> None:
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)

else:
    import fcntl

    def _lock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
