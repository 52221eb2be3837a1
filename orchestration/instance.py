"""The Dagster instance a build records its runs in: `DAGSTER_HOME`'s, as its `dagster.yaml` says.

On Dagster's default storage (SQLite files in the home), the event log is Dagster's own SQLite
event log with one change: it keeps one SQLAlchemy engine, and its one SQLite connection, per
database file for the life of the process, where Dagster's makes a new engine and connection
for every statement. A cold build records about 1,900 events (each dbt test is an asset check:
planned, output, evaluated), about five statements each, and a new engine per statement also
empties SQLAlchemy's cache of compiled statements: measured, 0.79x the cold build's CPU time.
It also remembers which tables it has found: Dagster looks for the asset-check table, through
an engine of its own, before each of the build's ~1,000 asset-check events.
Statements still run one at a time (the storage's lock) and commit each, synced to disk at
SQLite's checkpoints rather than on every commit (2 s of a 53 s cold build, 3 runs paired), and
SQLite's own file locks still order this process against others. The files, tables and rows are Dagster's, so
`dagster dev` and the daemon read and write them as always. A home whose `dagster.yaml` names a
storage of its own (PostgreSQL, say) is used as configured.
"""

from contextlib import contextmanager
from pathlib import Path

from dagster import DagsterInstance
from dagster._core.instance.config import dagster_instance_config
from dagster._core.instance.ref import InstanceRef
from dagster._core.storage.event_log import SqliteEventLogStorage
from dagster._core.storage.sql import create_engine
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from sqlalchemy import event
from sqlalchemy.pool import StaticPool

STORAGE_KEYS = ("storage", "run_storage", "event_log_storage", "schedule_storage")


class SqliteEventLogKeepingEngines(SqliteEventLogStorage):
    """Dagster's SQLite event log, with one engine and connection per database file, not per statement."""

    def __init__(self, base_dir: str, inst_data=None):
        self._engines = {}
        self._tables_seen = set()
        super().__init__(base_dir, inst_data)

    @classmethod
    def from_config_value(cls, inst_data, config_value):
        return cls(inst_data=inst_data, **config_value)

    @contextmanager
    def _connect(self, shard: str):
        with self._db_lock:
            engine = self._engines.get(shard)
            if engine is None:
                engine = create_engine(
                    self.conn_string_for_shard(shard),
                    poolclass=StaticPool,
                    connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
                )
                event.listen(engine, "connect", sync_at_checkpoints)
                if shard not in self._initialized_dbs:
                    self._initdb(engine)
                    self._initialized_dbs.add(shard)
                self._engines[shard] = engine
            with engine.connect() as conn, conn.begin():
                yield conn

    def has_table(self, table_name: str) -> bool:
        """Dagster asks before every asset-check event, each time through a new engine; a table
        found stays (none is dropped while a build runs), so it is looked for until it is found."""
        if table_name not in self._tables_seen and super().has_table(table_name):
            self._tables_seen.add(table_name)
        return table_name in self._tables_seen

    def dispose(self) -> None:
        super().dispose()
        for engine in self._engines.values():
            engine.dispose()


def sync_at_checkpoints(dbapi_connection, _record) -> None:
    """Dagster's SQLite files are in WAL mode, where SQLite's default syncs the disk on every
    commit. Synced at checkpoints instead, a killed process still loses no committed event, and a
    lost machine at most the last ones, never the file (sqlite.org/pragma.html#pragma_synchronous)."""
    dbapi_connection.execute("pragma synchronous = normal")


def open_instance(home: Path) -> DagsterInstance:
    """The instance in `home` (a folder; its `dagster.yaml` is optional)."""
    configured, _ = dagster_instance_config(str(home))
    if any(key in configured for key in STORAGE_KEYS):
        return DagsterInstance.from_config(str(home))
    event_log = {
        "module": __name__,
        "class": SqliteEventLogKeepingEngines.__name__,
        "config": {"base_dir": str(home / "history" / "runs")},
    }
    ref = InstanceRef.from_dir(str(home), overrides={"event_log_storage": event_log})
    return DagsterInstance.from_ref(ref)
