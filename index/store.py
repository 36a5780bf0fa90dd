"""On-disk layout of the index directory, and its atomic swap.

    index_dir/CURRENT           name of the build that serves (replaced with os.replace)
    index_dir/builds/<id>/      complete builds: meta.json, vectors.faiss, passages.jsonl, bm25/
    index_dir/builds/.partial-* builds in progress (never read, removed if the build fails)

A reader resolves CURRENT once and then reads only that build directory, so it never sees half
an index; a failed build never touches CURRENT. The last two completed builds are kept, so a
reader that resolved the pointer just before a swap can still finish loading.
"""

from __future__ import annotations

import os
import shutil
import time
import uuid
from pathlib import Path

POINTER = "CURRENT"
BUILDS = "builds"
PARTIAL = ".partial-"
KEEP_BUILDS = 2
MARKER = "meta.json"  # written last-but-one in a build; its presence means the build is complete


def current_build(index_dir: Path) -> Path | None:
    """Directory of the serving build, or None if nothing was published yet."""
    index_dir = Path(index_dir)
    if (index_dir / MARKER).exists():  # a bare build directory given directly
        return index_dir
    name = _pointer(index_dir)
    while name:
        build = index_dir / BUILDS / name
        if (build / MARKER).exists():
            return build
        # The build named a moment ago may have been collected by later swaps: follow the
        # pointer while it moves, and give up only when it names a missing build twice.
        again = _pointer(index_dir)
        if again == name:
            return None
        name = again
    return None


def _pointer(index_dir: Path) -> str:
    try:
        return (index_dir / POINTER).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return ""


def index_exists(index_dir: Path) -> bool:
    """True when a complete index has been published in `index_dir`."""
    return current_build(Path(index_dir)) is not None


def new_partial(index_dir: Path) -> Path:
    """A fresh, empty directory to write a build into."""
    build_id = f"{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}"
    path = Path(index_dir) / BUILDS / f"{PARTIAL}{build_id}"
    path.mkdir(parents=True)
    return path


def publish(index_dir: Path, partial: Path) -> Path:
    """Make a finished partial build the serving one: rename it, then swap the pointer atomically."""
    index_dir = Path(index_dir)
    final = partial.with_name(partial.name.removeprefix(PARTIAL))
    os.replace(partial, final)
    tmp = index_dir / f".{POINTER}.{uuid.uuid4().hex[:8]}"
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(final.name)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, index_dir / POINTER)
    return final


def discard(partial: Path) -> None:
    shutil.rmtree(partial, ignore_errors=True)


def discard_partials(index_dir: Path) -> list[Path]:
    """Remove unfinished builds left by a killed process.

    Only safe while no build can be running, i.e. under bot.library.write_lock.
    """
    builds_dir = Path(index_dir) / BUILDS
    partials = [p for p in builds_dir.glob(f"{PARTIAL}*") if p.is_dir()] if builds_dir.exists() else []
    for p in partials:
        discard(p)
    return partials


def collect_garbage(index_dir: Path, keep: int = KEEP_BUILDS) -> list[Path]:
    """Remove completed builds except the serving one and the newest others (`keep` in all)."""
    builds_dir = Path(index_dir) / BUILDS
    current = current_build(Path(index_dir))
    done = sorted((p for p in builds_dir.iterdir() if p.is_dir() and not p.name.startswith(".")),
                  key=lambda p: p.name, reverse=True) if builds_dir.exists() else []
    kept = [current] if current else []
    for p in done:
        if len(kept) >= keep:
            break
        if p != current:
            kept.append(p)
    removed = [p for p in done if p not in kept]
    for p in removed:
        shutil.rmtree(p, ignore_errors=True)
    return removed
