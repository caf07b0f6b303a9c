"""The warehouse on disk: one published DuckDB file, private builds, atomic publishing.

    $INTERREG_WAREHOUSE_DIR/
      interreg.duckdb          the published file; readers open it read_only
      exports -> releases/<release>/exports     Parquet per mart, the policy-change list
      releases/<release>/      the last KEEP_RELEASES published builds, for rollback
      .build/<run_id>/         a run's private build (same file name, so the DuckDB
        interreg.duckdb        catalog, and with it every view, keeps the name "interreg")
        exports/
      .dbt/build -> .build/<run_id>   the path dbt's profile names (see dbt_build_path)
      .dbt/target/             dbt's artifacts and parse state, kept between runs
      .run.lock                held by the one run that may write
      landing/                 immutable raw files of every source
      runs.jsonl               every run that ended, published or not

A run copies the published file into its build folder, replaces what changed, and,
only when everything passed, moves the build into releases/ and renames a hard link of
it over the published file, then swaps the exports link: each step a single atomic
rename. DuckDB allows one writer or many readers; readers keep the inode they opened,
so a reader of the old file keeps a consistent view while the new one is published.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from pipelines.constants import PUBLISHED_FILE_NAME
from pipelines.crash_points import pause_point
from pipelines.errors import PipelineError

# Readers embed older DuckDB (BI drivers): a file written by 1.5 in this format opens in 1.4.
STORAGE_VERSION = "v1.4.0"
KEEP_RELEASES = 3


class WarehouseBusyError(PipelineError):
    """Another run holds the write lock."""


@dataclass(frozen=True)
class Warehouse:
    directory: Path

    @property
    def published_path(self) -> Path:
        return self.directory / PUBLISHED_FILE_NAME

    @property
    def landing_root(self) -> Path:
        return self.directory / "landing"

    @property
    def runs_log(self) -> Path:
        return self.directory / "runs.jsonl"

    def build_path(self, run_id: str) -> Path:
        return self.directory / ".build" / run_id / PUBLISHED_FILE_NAME

    @contextmanager
    def write_lock(self) -> Iterator[None]:
        """Hold the single-writer lock, or refuse at once when another run holds it."""
        self.directory.mkdir(parents=True, exist_ok=True)
        with open(self.directory / ".run.lock", "a+") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.seek(0)
                holder = handle.read().strip() or "unknown"
                raise WarehouseBusyError(
                    f"another run is writing the warehouse in {self.directory} ({holder});"
                    " wait for it to finish"
                ) from None
            handle.seek(0)
            handle.truncate()
            handle.write(f"pid {os.getpid()}")
            handle.flush()
            try:
                yield
            finally:
                handle.truncate(0)
                fcntl.flock(handle, fcntl.LOCK_UN)

    def start_build(self, run_id: str) -> Path:
        """Create the run's private build file, starting from the published one.

        Builds left behind by killed runs are removed first: only the lock holder calls this.
        """
        builds = self.directory / ".build"
        if builds.exists():
            for stale in builds.iterdir():
                if stale.name != run_id:
                    shutil.rmtree(stale, ignore_errors=True)
        self._remove_unpublished_releases()
        path = self.build_path(run_id)
        if path.exists():
            return path
        path.parent.mkdir(parents=True, exist_ok=True)
        if self.published_path.exists():
            shutil.copyfile(self.published_path, path)
        else:
            duckdb.connect(
                str(path), config={"storage_compatibility_version": STORAGE_VERSION}
            ).close()
        return path

    @property
    def dbt_dir(self) -> Path:
        return self.directory / ".dbt"

    def dbt_build_path(self, run_id: str) -> Path:
        """The run's build under a path that is the same for every run: `.dbt/build` links
        to the run's build folder. dbt's profile names this path, and dbt parses the whole
        project again whenever the profile changes (3 to 5 s); kept the same, and with
        dbt's target folder kept too (`dbt_target_dir`), a run parses only what changed."""
        self.start_build(run_id)
        self.dbt_dir.mkdir(exist_ok=True)
        link, staged = self.dbt_build_link.parent, self.dbt_dir / f".build.{run_id}"
        staged.unlink(missing_ok=True)
        staged.symlink_to(Path("..") / ".build" / run_id, target_is_directory=True)
        os.replace(staged, link)
        return self.dbt_build_link

    @property
    def dbt_build_link(self) -> Path:
        """The path dbt's profile names, the same for every run (see dbt_build_path)."""
        return self.dbt_dir / "build" / PUBLISHED_FILE_NAME

    @property
    def dbt_target_dir(self) -> Path:
        return self.dbt_dir / "target"

    def connect_build(self, run_id: str) -> duckdb.DuckDBPyConnection:
        return duckdb.connect(str(self.start_build(run_id)))

    @property
    def releases_dir(self) -> Path:
        return self.directory / "releases"

    @property
    def exports_link(self) -> Path:
        return self.directory / "exports"

    def build_exports_dir(self, run_id: str) -> Path:
        return self.build_path(run_id).parent / "exports"

    def releases(self) -> list[Path]:
        """Published builds kept for rollback, oldest first (names start with a UTC time)."""
        if not self.releases_dir.exists():
            return []
        return sorted(p for p in self.releases_dir.iterdir() if p.is_dir())

    def current_release(self) -> Path | None:
        """The release whose file is the published one (the same inode)."""
        if not self.published_path.exists():
            return None
        published = self.published_path.stat()
        for release in self.releases():
            candidate = release / PUBLISHED_FILE_NAME
            if candidate.exists() and os.path.samestat(candidate.stat(), published):
                return release
        return None

    def publish(self, run_id: str) -> Path:
        """Make the run's build the published file: checkpoint, then atomic renames."""
        path = self.build_path(run_id)
        con = duckdb.connect(str(path))
        try:
            con.execute("CHECKPOINT")
        finally:
            con.close()
        if path.with_name(path.name + ".wal").exists():
            raise PipelineError(
                f"{path}: a write-ahead log remains after CHECKPOINT; not published"
            )
        self.releases_dir.mkdir(parents=True, exist_ok=True)
        release = self.releases_dir / f"{utc_now():%Y%m%dT%H%M%S%fZ}-{run_id}"
        os.replace(path.parent, release)
        pause_point("publish")  # tests kill a run here: moved, not yet published
        self._point_at(release)
        self._prune_releases()
        return self.published_path

    def rollback(self) -> Path:
        """Publish the release before the current one again. Returns that release."""
        releases = self.releases()
        current = self.current_release()
        older = releases[: releases.index(current)] if current in releases else []
        if not older:
            raise PipelineError(
                f"no earlier release to roll back to in {self.releases_dir} (kept: {len(releases)})"
            )
        self._point_at(older[-1])
        return older[-1]

    def _point_at(self, release: Path) -> None:
        """Publish `release`: its file, then its exports, each by one atomic rename."""
        staged = self.directory / f".{PUBLISHED_FILE_NAME}.{release.name}"
        staged.unlink(missing_ok=True)
        os.link(release / PUBLISHED_FILE_NAME, staged)
        os.replace(staged, self.published_path)
        if (release / "exports").is_dir():
            link = self.directory / f".exports.{release.name}"
            link.unlink(missing_ok=True)
            link.symlink_to(release.relative_to(self.directory) / "exports")
            os.replace(link, self.exports_link)

    def _remove_unpublished_releases(self) -> None:
        """Remove what a run killed in the middle of publishing left beside the releases.

        A run killed between moving its build into releases/ and replacing the published
        file leaves a release that was never published (newer than the current one, and no
        `success` for its run in runs.jsonl). Left there, `interreg rollback` would publish
        it (it is the one "before" the next current release) and it would take a place of
        the KEEP_RELEASES kept. A release newer than the current one because of a rollback
        was published by a successful run, and stays. Half-made link names go too.
        Only the lock holder calls this (start_build).
        """
        current = self.current_release()
        if current is not None or not self.published_path.exists():
            newer_than = current.name if current is not None else ""
            published_runs = {
                r.get("run_id") for r in self.run_records() if r.get("status") == "success"
            }
            for release in self.releases():
                run_id = release.name.split("-", 1)[-1]
                if release.name > newer_than and run_id not in published_runs:
                    shutil.rmtree(release, ignore_errors=True)
        for leftover in self.directory.glob(f".{PUBLISHED_FILE_NAME}.*"):
            leftover.unlink(missing_ok=True)
        for leftover in self.directory.glob(".exports.*"):
            leftover.unlink(missing_ok=True)

    def _prune_releases(self) -> None:
        releases = self.releases()
        current = self.current_release()
        for old in releases[:-KEEP_RELEASES]:
            if old != current:
                shutil.rmtree(old, ignore_errors=True)

    def discard_build(self, run_id: str) -> None:
        shutil.rmtree(self.build_path(run_id).parent, ignore_errors=True)

    def record_run(self, record: dict) -> None:
        """Append a run's record to runs.jsonl (audit.runs is built from it at publish)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        with open(self.runs_log, "a", encoding="utf-8") as log:
            log.write(json.dumps(record, sort_keys=True, default=str) + "\n")

    def run_records(self) -> list[dict]:
        if not self.runs_log.exists():
            return []
        with open(self.runs_log, encoding="utf-8") as log:
            return [json.loads(line) for line in log if line.strip()]

    def connect_published(self) -> duckdb.DuckDBPyConnection:
        """A read-only connection to the published file, as analysts and BI tools open it."""
        if not self.published_path.exists():
            raise PipelineError(
                f"no published warehouse at {self.published_path}; run `interreg run` first"
            )
        return duckdb.connect(str(self.published_path), read_only=True)


def utc_now() -> datetime:
    return datetime.now(UTC)
