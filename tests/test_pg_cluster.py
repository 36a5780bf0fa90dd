"""The throwaway PostgreSQL cluster (tests/pg_cluster.py) that the PostgreSQL backend's tests run on."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from tests.pg_cluster import PgCluster, find_pg_bin


def test_find_pg_bin_returns_directory_with_server_tools(pg_cluster: PgCluster) -> None:
    bin_dir = find_pg_bin()
    assert bin_dir is not None
    assert (bin_dir / "initdb").exists() and (bin_dir / "pg_ctl").exists()


def test_cluster_listens_on_loopback_only(pg_cluster: PgCluster) -> None:
    url = pg_cluster.url("postgres")
    assert url == f"postgresql://postgres@127.0.0.1:{pg_cluster.port}/postgres"
    with psycopg.connect(url) as conn:
        assert conn.execute("show listen_addresses").fetchone() == ("127.0.0.1",)
        assert conn.execute("show fsync").fetchone() == ("off",)
        assert conn.execute("show server_encoding").fetchone() == ("UTF8",)
        (version,) = conn.execute("show server_version_num").fetchone()
        assert int(version) >= 140000  # terminate_connections uses pg_terminate_backend(pid, timeout)


def test_two_databases_are_separate(pg_cluster: PgCluster) -> None:
    first = pg_cluster.create_database("pgc_first")
    second = pg_cluster.create_database("pgc_second")
    try:
        with psycopg.connect(first) as conn:
            conn.execute("create table facts (id serial primary key, text text not null)")
            conn.execute("insert into facts (text) values (%s), (%s)", ("Chỉ thị số 12", "báo cáo quý"))
        with psycopg.connect(first) as conn:
            rows = conn.execute("select text from facts order by id").fetchall()
        assert rows == [("Chỉ thị số 12",), ("báo cáo quý",)]
        with psycopg.connect(second) as conn:
            assert conn.execute("select to_regclass('facts')").fetchone() == (None,)
    finally:
        pg_cluster.drop_database("pgc_first")
        pg_cluster.drop_database("pgc_second")


def test_pg_url_is_a_fresh_database(pg_url: str) -> None:
    with psycopg.connect(pg_url) as conn:
        tables = conn.execute("select count(*) from pg_tables where schemaname = 'public'").fetchone()
    assert tables == (0,)


def test_terminate_connections_drops_open_connection(pg_cluster: PgCluster, pg_url: str) -> None:
    dbname = pg_url.rsplit("/", 1)[1]
    victim = psycopg.connect(pg_url, autocommit=True)
    bystander = psycopg.connect(pg_cluster.url("postgres"), autocommit=True)
    try:
        assert victim.execute("select 1").fetchone() == (1,)
        assert pg_cluster.terminate_connections(dbname) == 1
        with pytest.raises(psycopg.OperationalError):
            victim.execute("select 1")
        assert victim.closed or victim.broken
        # Only that database's sessions end; a new connection to it works again.
        assert bystander.execute("select 1").fetchone() == (1,)
        with psycopg.connect(pg_url) as again:
            assert again.execute("select 2").fetchone() == (2,)
    finally:
        victim.close()
        bystander.close()


def test_store_target_gives_each_backend(store_target: Path | str, tmp_path: Path) -> None:
    if isinstance(store_target, Path):
        assert store_target == tmp_path / "facts.sqlite"
    else:
        assert store_target.startswith("postgresql://postgres@127.0.0.1:")
        with psycopg.connect(store_target) as conn:
            assert conn.execute("select current_database()").fetchone()[0].startswith("t_test_store_target")


@pytest.mark.usefixtures("pg_cluster")  # its skip-or-fail gate when PostgreSQL is missing
def test_stop_removes_directory_and_server() -> None:
    cluster = PgCluster()
    with cluster:
        base = cluster.base_dir
        url = cluster.url("postgres")
        assert base is not None and (base / "data" / "PG_VERSION").exists()
        assert base.stat().st_mode & 0o777 == 0o700
    assert cluster.base_dir is None and not base.exists()
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(url, connect_timeout=2)


@pytest.mark.usefixtures("pg_cluster")  # its skip-or-fail gate when PostgreSQL is missing
def test_cleanup_when_body_raises() -> None:
    with pytest.raises(RuntimeError, match="test body failed"), PgCluster() as cluster:
        base = cluster.base_dir
        raise RuntimeError("test body failed")
    assert base is not None and not base.exists()
