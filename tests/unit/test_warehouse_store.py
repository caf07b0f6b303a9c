"""The published file changes only by an atomic rename of a finished build."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pytest

from pipelines.warehouse.store import Warehouse, WarehouseBusyError


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build_with(warehouse: Warehouse, run_id: str, value: int) -> None:
    con = warehouse.connect_build(run_id)
    con.execute("CREATE OR REPLACE TABLE t AS SELECT ? AS v", [value])
    con.close()


def test_a_build_starts_from_the_published_file_and_publishing_replaces_it(tmp_path):
    warehouse = Warehouse(tmp_path)
    build_with(warehouse, "run-1", 1)
    warehouse.publish("run-1")
    con = warehouse.connect_build("run-2")
    assert con.execute("SELECT v FROM t").fetchone() == (1,)
    con.execute("UPDATE t SET v = 2")
    con.close()
    warehouse.publish("run-2")
    with warehouse.connect_published() as reader:
        assert reader.execute("SELECT v FROM t").fetchone() == (2,)
    assert not (tmp_path / ".build").exists() or not any((tmp_path / ".build").iterdir())


def test_a_discarded_build_leaves_the_published_file_byte_for_byte_unchanged(tmp_path):
    warehouse = Warehouse(tmp_path)
    build_with(warehouse, "run-1", 1)
    warehouse.publish("run-1")
    before = sha256(warehouse.published_path)
    build_with(warehouse, "run-2", 99)
    warehouse.discard_build("run-2")
    assert sha256(warehouse.published_path) == before


def test_a_reader_of_the_old_file_keeps_its_view_while_a_new_one_is_published(tmp_path):
    warehouse = Warehouse(tmp_path)
    build_with(warehouse, "run-1", 1)
    warehouse.publish("run-1")
    reader = warehouse.connect_published()
    build_with(warehouse, "run-2", 2)
    warehouse.publish("run-2")
    assert reader.execute("SELECT v FROM t").fetchone() == (1,)
    reader.close()
    with warehouse.connect_published() as fresh:
        assert fresh.execute("SELECT v FROM t").fetchone() == (2,)


def test_builds_left_by_killed_runs_are_removed_by_the_next_run(tmp_path):
    warehouse = Warehouse(tmp_path)
    build_with(warehouse, "killed", 1)
    warehouse.start_build("next")
    assert not warehouse.build_path("killed").parent.exists()


def test_a_second_writer_is_refused_with_a_clear_message(tmp_path):
    warehouse = Warehouse(tmp_path)
    with (
        warehouse.write_lock(),
        pytest.raises(WarehouseBusyError, match="another run is writing"),
        Warehouse(tmp_path).write_lock(),
    ):
        pass
    with warehouse.write_lock():  # released: the next run may write
        pass


def test_a_new_warehouse_is_readable_by_duckdb_1_4(tmp_path):
    warehouse = Warehouse(tmp_path)
    warehouse.start_build("run-1").parent.exists()
    con = duckdb.connect(str(warehouse.build_path("run-1")))
    tags = con.execute(
        "SELECT tags FROM duckdb_databases() WHERE database_name = 'interreg'"
    ).fetchone()[0]
    con.close()
    assert tags["storage_version"].startswith("v1.4.0")


def test_reading_before_anything_is_published_says_what_to_do(tmp_path):
    with pytest.raises(Exception, match="interreg run"):
        Warehouse(tmp_path).connect_published()


def value_published(warehouse: Warehouse) -> int:
    with warehouse.connect_published() as reader:
        return reader.execute("SELECT v FROM t").fetchone()[0]


def test_the_last_three_releases_are_kept_and_rollback_republishes_the_one_before(tmp_path):
    warehouse = Warehouse(tmp_path)
    for value in range(1, 6):
        build_with(warehouse, f"run-{value}", value)
        warehouse.publish(f"run-{value}")
    assert [r.name.split("-", 1)[1] for r in warehouse.releases()] == ["run-3", "run-4", "run-5"]
    assert value_published(warehouse) == 5
    warehouse.rollback()
    assert value_published(warehouse) == 4
    warehouse.rollback()
    assert value_published(warehouse) == 3
    with pytest.raises(Exception, match="no earlier release"):
        warehouse.rollback()
    assert value_published(warehouse) == 3


def test_the_exports_link_follows_the_published_release(tmp_path):
    warehouse = Warehouse(tmp_path)
    for value in (1, 2):
        build_with(warehouse, f"run-{value}", value)
        exports = warehouse.build_exports_dir(f"run-{value}")
        exports.mkdir()
        (exports / "marker.txt").write_text(str(value))
        warehouse.publish(f"run-{value}")
    assert (warehouse.exports_link / "marker.txt").read_text() == "2"
    warehouse.rollback()
    assert (warehouse.exports_link / "marker.txt").read_text() == "1"
