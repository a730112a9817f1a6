"""Issue #7: the import freezes what survives each chunk so that Python's cyclic collector
does not walk the whole import again and again; it must leave nothing frozen behind, collect
each chunk's garbage before freezing (so no garbage is kept), and leave alone a process that
freezes objects itself; and that nothing is collected during a chunk (settle() collects
once after it)."""

from __future__ import annotations

import gc
import weakref
from pathlib import Path

import pytest

from huajie.ledger import importing
from huajie.ledger.planner import Planner
from tests.cases.world import World
from tests.ledger.helpers import run
from tests.ledger.sheets import row, team_of, write_sheet

pytestmark = pytest.mark.django_db


def _sheet(world: World, tmp_path: Path, rows: int) -> Path:
    team = team_of(world)
    return write_sheet(
        tmp_path / "t.xlsx",
        [row(信访人=f"信访人{n}", 台账编号=f"2019-H{n:04d}", **team) for n in range(rows)],
    )


def test_nothing_stays_frozen_and_each_chunk_is_settled(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Planner, "CHUNK", 3)
    frozen_after: list[int] = []
    freeze = gc.freeze

    def counted_freeze() -> None:
        freeze()
        frozen_after.append(gc.get_freeze_count())

    monkeypatch.setattr(gc, "freeze", counted_freeze)
    report = run(_sheet(world, tmp_path, 7), world.province_office, world.campaign)
    assert report.counts["create"] == 7 and not report.error_count
    assert len(frozen_after) == 3 and all(n > 0 for n in frozen_after)  # after every chunk
    assert gc.get_freeze_count() == 0  # and unfrozen at the end


def test_a_chunks_garbage_cycles_are_collected_not_frozen() -> None:
    class Node:
        pass

    with importing._heap_settled_per_chunk() as settle:
        survivor = Node()
        cycle = Node()
        cycle.me = cycle  # type: ignore[attr-defined]
        gone = weakref.ref(cycle)
        del cycle
        settle()
        assert gone() is None  # collected before the freeze
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0
    assert survivor is not None


def test_a_process_that_freezes_itself_is_left_alone() -> None:
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with importing._heap_settled_per_chunk() as settle:
            settle()
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()


def test_nothing_is_collected_during_a_chunk_and_the_collector_is_back_after() -> None:
    assert gc.isenabled()
    with importing._heap_settled_per_chunk() as settle:
        assert not gc.isenabled()  # a chunk's young objects are not walked on the way
        settle()
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError), importing._heap_settled_per_chunk():
        raise RuntimeError("an import that fails halfway")
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_a_process_that_collects_by_hand_is_left_alone() -> None:
    gc.disable()
    try:
        with importing._heap_settled_per_chunk() as settle:
            settle()
        assert not gc.isenabled() and gc.get_freeze_count() == 0
    finally:
        gc.enable()
