"""The serving-build pointer read while other processes publish and collect builds."""

from __future__ import annotations

import threading
from pathlib import Path

from index import store

SWAPS = 400


def _publish_empty_build(index_dir: Path) -> Path:
    partial = store.new_partial(index_dir)
    (partial / store.MARKER).write_text("{}", encoding="utf-8")
    return store.publish(index_dir, partial)


def test_a_reader_follows_the_pointer_past_builds_collected_under_it(tmp_path):
    """A reader that resolved the pointer just before two swaps and a collection still finds a build."""
    index_dir = tmp_path / "index"
    _publish_empty_build(index_dir)
    missing: list[int] = []
    stop = threading.Event()

    def read() -> None:
        reads = 0
        while not stop.is_set():
            reads += 1
            if store.current_build(index_dir) is None:
                missing.append(reads)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for _ in range(SWAPS):
            _publish_empty_build(index_dir)
            store.collect_garbage(index_dir)
    finally:
        stop.set()
        reader.join()
    assert not missing, f"{len(missing)} reads found no build"


def test_a_pointer_to_a_missing_build_is_no_index(tmp_path):
    index_dir = tmp_path / "index"
    index_dir.mkdir()
    (index_dir / store.POINTER).write_text("gone", encoding="utf-8")
    assert store.current_build(index_dir) is None
    assert not store.index_exists(index_dir)
