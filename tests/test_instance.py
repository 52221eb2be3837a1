"""The build's Dagster instance: Dagster's SQLite files, written through engines kept per file,
read back by Dagster's own storage (as `dagster dev` and `chipwatch status` read them)."""

from dagster import (
    AssetCheckResult,
    AssetCheckSpec,
    AssetKey,
    DagsterInstance,
    MaterializeResult,
    asset,
    materialize,
)

from orchestration.instance import SqliteEventLogKeepingEngines, open_instance

CHECKS = [AssetCheckSpec(f"check_{n}", asset="numbers") for n in range(3)]


@asset(check_specs=CHECKS)
def numbers() -> MaterializeResult:
    return MaterializeResult(
        check_results=[AssetCheckResult(check_name=c.name, passed=c.name != "check_2") for c in CHECKS]
    )


def test_runs_written_through_kept_engines_read_back_with_dagsters_own_storage(tmp_path):
    with open_instance(tmp_path) as instance:
        assert isinstance(instance.event_log_storage, SqliteEventLogKeepingEngines)
        first = materialize([numbers], instance=instance, raise_on_error=False)
        second = materialize([numbers], instance=instance, raise_on_error=False)
    with DagsterInstance.from_config(str(tmp_path)) as instance:
        assert type(instance.event_log_storage).__name__ == "SqliteEventLogStorage"
        assert {run.run_id for run in instance.get_runs()} == {first.run_id, second.run_id}
        [latest] = instance.fetch_materializations(AssetKey("numbers"), limit=1).records
        assert latest.run_id == second.run_id
        evaluations = [
            event.dagster_event.asset_check_evaluation_data
            for event in instance.all_logs(second.run_id)
            if event.dagster_event and event.dagster_event.event_type_value == "ASSET_CHECK_EVALUATION"
        ]
        assert sorted((e.check_name, e.passed) for e in evaluations) == [
            ("check_0", True),
            ("check_1", True),
            ("check_2", False),
        ]


def test_a_home_that_names_its_own_storage_is_used_as_configured(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    (tmp_path / "dagster.yaml").write_text(f"storage:\n  sqlite:\n    base_dir: {elsewhere}\n")
    with open_instance(tmp_path) as instance:
        assert not isinstance(instance.event_log_storage, SqliteEventLogKeepingEngines)
        materialize([numbers], instance=instance, raise_on_error=False)
    assert (elsewhere / "history" / "runs.db").exists()
    assert not (tmp_path / "history").exists()


def test_a_table_found_is_not_looked_for_again(tmp_path, monkeypatch):
    from dagster._core.storage.event_log import SqliteEventLogStorage

    looked_for = []
    original = SqliteEventLogStorage.has_table

    def counting(self, table_name):
        looked_for.append(table_name)
        return original(self, table_name)

    monkeypatch.setattr(SqliteEventLogStorage, "has_table", counting)
    with open_instance(tmp_path) as instance:
        materialize([numbers], instance=instance)  # 3 asset checks: Dagster asks before each event
        storage = instance.event_log_storage
        assert storage.has_table("asset_check_executions") and not storage.has_table("no_such_table")
        assert not storage.has_table("no_such_table")
    assert looked_for.count("asset_check_executions") == 1
    assert looked_for.count("no_such_table") == 2


def test_the_event_log_syncs_at_checkpoints_and_stays_in_wal_mode(tmp_path):
    import sqlite3

    with open_instance(tmp_path) as instance:
        run = materialize([numbers], instance=instance, raise_on_error=False)
        storage = instance.event_log_storage
        with storage._connect(run.run_id) as conn:
            # 1 is NORMAL: the disk is synced at WAL checkpoints, not on every commit (2, FULL).
            assert conn.exec_driver_sql("pragma synchronous").scalar() == 1
    for shard in (run.run_id, "index"):
        path = tmp_path / "history" / "runs" / f"{shard}.db"
        with sqlite3.connect(path) as plain:
            assert plain.execute("pragma journal_mode").fetchone() == ("wal",)
