"""Fixtures: the test pack, the room of the recorded LIVE, a mapper and an engine."""

from __future__ import annotations

from pathlib import Path

import pytest
from festengine import Engine, Fest, load_fest

import tiktok_messages as m
from festengine_tiktoklive import Mapper, Room

HERE = Path(__file__).parent


@pytest.fixture(scope="session")
def fest() -> Fest:
    return load_fest(HERE / "pack")


@pytest.fixture
def room() -> Room:
    return Room(str(m.ROOM), str(m.OWNER))


@pytest.fixture
def mapper(fest: Fest, room: Room) -> Mapper:
    return Mapper(fest, room)


@pytest.fixture
def engine(fest: Fest) -> Engine:
    return Engine(fest)
