"""Drivers of the keyed core: routing events to owner keys, and an in-process sharded driver.

The engine's state belongs to owner keys (:mod:`festengine.engine.keys`): each viewer's, and the
fest's. An event goes to its *primary* key (:func:`route`), which alone may refuse it; once accepted
it reaches the other kinds' parts as a :class:`~festengine.engine.messages.Forwarded` message, and
every effect on another key is a message too. A key applies its inputs in :func:`sort_key` order.

* :class:`KeyedEngine` runs a fest over one engine for the fest key and ``shards`` engines for the
  viewers (a viewer's shard: a stable hash of its id), delivering the messages between them, so
  that each key sees what it would see in one :class:`~festengine.Engine`.
* :func:`key_engine`, :func:`restore_key` and :func:`sort_key` are what a distributed driver (one
  engine per key, its state kept as the engine's snapshot bytes) needs.
"""

from festengine.keyed.driver import KeyedEngine, KeyedStep
from festengine.keyed.routing import key_engine, restore_key, route, shard_of, sort_key

__all__ = ["KeyedEngine", "KeyedStep", "key_engine", "restore_key", "route", "shard_of", "sort_key"]
