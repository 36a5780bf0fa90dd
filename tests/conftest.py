"""Test setup shared by all test modules: the repository root is importable (`tests.botapi_server`).

PostgreSQL fixtures: `pg_cluster` (one throwaway cluster per session, tests/pg_cluster.py), `pg_url`
(a fresh database on it) and `store_target` (each storage backend in turn: a SQLite path, then a
PostgreSQL URL). Without the server binaries they skip, except in CI (CI set), which installs
PostgreSQL (.ci/run): there they fail, so the PostgreSQL backend never passes by being skipped.
"""

from __future__ import annotations

import re
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

if TYPE_CHECKING:
    from tests.pg_cluster import PgCluster


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    """One PostgreSQL cluster for the whole session: initdb costs about a second, a database far less."""
    # Imported here, so the rest of the suite runs even where psycopg is not installed yet.
    from tests.conftest_shared import in_ci
    from tests.pg_cluster import MISSING_MESSAGE, PgCluster, find_pg_bin

    if find_pg_bin() is None:
        if in_ci():
            pytest.fail(f"CI installs PostgreSQL (.ci/run), yet: {MISSING_MESSAGE}", pytrace=False)
        pytest.skip(MISSING_MESSAGE)
    with PgCluster() as cluster:
        yield cluster


@pytest.fixture
def pg_url(pg_cluster: PgCluster, request: pytest.FixtureRequest) -> Iterator[str]:
    """URL of a fresh, empty database named after the test, dropped afterwards (the disk stays small)."""
    slug = re.sub(r"[^a-z0-9]+", "_", request.node.name.lower()).strip("_")[:40]
    name = f"t_{slug}_{uuid.uuid4().hex[:8]}"
    url = pg_cluster.create_database(name)
    yield url
    pg_cluster.drop_database(name)


@pytest.fixture(params=["sqlite", "postgresql"])
def store_target(request: pytest.FixtureRequest, tmp_path: Path) -> Path | str:
    """Where a fact store lives, once per backend: a SQLite file (Path) or a PostgreSQL URL (str)."""
    if request.param == "sqlite":
        return tmp_path / "facts.sqlite"
    return request.getfixturevalue("pg_url")
