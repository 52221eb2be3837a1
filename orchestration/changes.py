"""What changed since the last publish: the one answer `make run` and the inbox sensor both use.

Every good run ends by publishing the serving file; the `serving_file` materialization records,
in Dagster's event log, the files each source's raw table was loaded from (name, size,
modification time, SHA-256) and the code version. A source has changed when its files differ
from that record. A file is hashed only when its size or modification time differ from the
record, so a check with nothing new reads directory entries, not file contents.
"""

import hashlib
from dataclasses import dataclass
from pathlib import Path

from dagster import AssetKey, DagsterInstance, DagsterRunStatus

from ingestion.paths import PROJECT_ROOT
from ingestion.registry import SOURCES, Source

SERVING_FILE_KEY = AssetKey("serving_file")

# A change to any of these rebuilds everything.
CODE_PATHS = (
    "ingestion",
    "validation",
    "orchestration",
    "serving",
    "dbt_project/models",
    "dbt_project/macros",
)
CODE_SUFFIXES = (".py", ".sql", ".yml")
CODE_FILES = ("dbt_project/dbt_project.yml", "uv.lock")

# file name -> [size, mtime_ns, sha256]
FileStates = dict[str, list]


def raw_key(source: Source) -> AssetKey:
    return AssetKey(["raw", source.table])


def source_files(source: Source) -> list[Path]:
    """The files the source's raw table is loaded from now (none when its folder is refused: the
    source's own run says why)."""
    from ingestion.errors import InboxError
    from ingestion.lander import source_files as files  # polars: not at definitions load

    try:
        return files(source)
    except InboxError:
        return []


def inbox_sources() -> list[Source]:
    return [source for source in SOURCES if source.folder]


def watched_sources() -> list[Source]:
    """Every source whose files feed a raw table: the inbox folders and the reference files (a
    generated source is code, which `code_version` covers)."""
    return [source for source in SOURCES if source.folder or source.file_name]


def code_version() -> str:
    """One hash of the code and the dbt models."""
    paths = [
        path
        for folder in CODE_PATHS
        for path in (PROJECT_ROOT / folder).rglob("*")
        if path.is_file() and path.suffix in CODE_SUFFIXES
    ]
    paths += [PROJECT_ROOT / name for name in CODE_FILES if (PROJECT_ROOT / name).exists()]
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(str(path.relative_to(PROJECT_ROOT)).encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def file_states(source: Source, known: FileStates) -> FileStates:
    """The source's files now; a file whose size and modification time are as `known` keeps its
    known hash, any other is hashed."""
    from ingestion.warehouse import file_sha256  # polars: not at definitions load

    states = {}
    for path in source_files(source):
        stat = path.stat()
        before = known.get(path.name)
        same = before is not None and before[:2] == [stat.st_size, stat.st_mtime_ns]
        states[path.name] = [stat.st_size, stat.st_mtime_ns, before[2] if same else file_sha256(path)]
    return states


def version(states: FileStates) -> str:
    """The source's content: its file names and hashes."""
    return hashlib.sha256(
        "\n".join(f"{name} {states[name][2]}" for name in sorted(states)).encode()
    ).hexdigest()


@dataclass(frozen=True)
class Publish:
    """What the latest `serving_file` materialization recorded."""

    timestamp: float
    path: str
    code_version: str | None
    inputs: dict[str, FileStates]
    run_succeeded: bool  # False: a step after the publish failed (the dashboard, dbt docs)


def last_publish(instance: DagsterInstance) -> Publish | None:
    event = instance.get_latest_materialization_event(SERVING_FILE_KEY)
    if event is None or event.asset_materialization is None:
        return None
    metadata = event.asset_materialization.metadata

    def value(name, default=None):
        return metadata[name].value if name in metadata else default

    path = value("path", "")
    run = instance.get_run_by_id(event.run_id) if event.run_id else None
    succeeded = run is None or run.status == DagsterRunStatus.SUCCESS
    return Publish(event.timestamp, str(path), value("code_version"), value("inputs", {}) or {}, succeeded)


@dataclass(frozen=True)
class Changes:
    """Sources whose files differ from the last publish (raw asset key -> the states now, and the
    names of the new or changed files), and whether the whole graph must be rebuilt."""

    everything: bool
    sources: dict[AssetKey, tuple[FileStates, list[str]]]


def what_changed(instance: DagsterInstance, sources: list[Source], serving: Path) -> Changes:
    """Compare each source's files with the last publish to `serving`. Everything is to be rebuilt
    when nothing was published there yet, the publishing run failed later or the code changed."""
    publish = last_publish(instance)
    if publish is not None and Path(publish.path).resolve() != serving.resolve():
        publish = None  # another warehouse's publish, recorded in the same instance
    inputs = publish.inputs if publish else {}
    changed = {}
    for source in sources:
        before = inputs.get(raw_key(source).to_user_string(), {})
        now = file_states(source, before)
        if version(now) != version(before):
            names = sorted(name for name, state in now.items() if before.get(name, [None] * 3)[2] != state[2])
            changed[raw_key(source)] = (now, names)
    everything = publish is None or not publish.run_succeeded or publish.code_version != code_version()
    return Changes(everything, changed)


def published_inputs(instance: DagsterInstance, previous: Publish | None) -> dict[str, FileStates]:
    """The files behind the serving file being published: for a source whose raw table was loaded
    since the previous publish, its files as they were when that load's run started (a file
    modified since counts as new next time); for the others, what the previous publish recorded."""
    inputs = dict(previous.inputs) if previous else {}
    for source in watched_sources():
        event = instance.get_latest_materialization_event(raw_key(source))
        if event is None or (previous is not None and event.timestamp <= previous.timestamp):
            continue
        run = instance.get_run_record_by_id(event.run_id)
        started_ns = int((run.start_time or event.timestamp) * 1e9) if run else int(event.timestamp * 1e9)
        name = raw_key(source).to_user_string()
        states = file_states(source, inputs.get(name, {}))
        inputs[name] = {name: state for name, state in states.items() if state[1] < started_ns}
    return inputs
