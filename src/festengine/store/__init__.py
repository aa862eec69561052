"""Durable fests: a SQLite event store with crash-safe resume (``FestStore``), and an HTTP service on top.

The store needs only the standard library; the service (``festengine.store.http``) needs the
``serve`` extra: ``pip install "festengine[serve]"``.
"""

from __future__ import annotations

from festengine.errors import StoreError
from festengine.store.files import backup_store
from festengine.store.store import FestStore, SourcePosition, WireText

__all__ = ["FestStore", "SourcePosition", "StoreError", "WireText", "backup_store"]
