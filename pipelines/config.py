"""Settings from environment variables. Every one is optional: unset means the bundled sample."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from pipelines.errors import ConfigurationError

REPO_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_MONITORING_DIR = REPO_ROOT / "sample" / "monitoring"
SAMPLE_KEEP_FILE = REPO_ROOT / "sample" / "keep" / "keep_eu_export.xlsx"
PUBLISHED_FILE_NAME = "interreg.duckdb"
# keep.eu's id of Interreg Europe 2014-2020 (docs: shared/docs/sources.md).
DEFAULT_KEEP_PROGRAMMES = (58,)


@dataclass(frozen=True)
class Settings:
    warehouse_dir: Path
    monitoring_url: str
    monitoring_token: str | None
    max_rejected_pct: float
    # The results page's map: a NUTS 2 GeoJSON (URL or path); unset means no map.
    nuts_url: str | None = None
    # keep.eu: archived export files, else the API's base URL (ignored, with a warning, when
    # files are given too); neither set means the bundled sample file.
    keep_url: str | None = None
    keep_files: tuple[Path, ...] = field(default=(SAMPLE_KEEP_FILE,))
    keep_programmes: tuple[int, ...] = DEFAULT_KEEP_PROGRAMMES
    keep_max_rejected_pct: float = 10.0

    @property
    def published_path(self) -> Path:
        return self.warehouse_dir / PUBLISHED_FILE_NAME

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        keep_files = tuple(
            Path(p).expanduser()
            for p in (env.get("INTERREG_KEEP_FILES") or "").split(os.pathsep)
            if p.strip()
        )
        keep_url = (env.get("INTERREG_KEEP_URL") or "").strip() or None
        return cls(
            warehouse_dir=Path(env.get("INTERREG_WAREHOUSE_DIR") or "warehouse").resolve(),
            monitoring_url=env.get("INTERREG_MONITORING_URL") or str(SAMPLE_MONITORING_DIR),
            monitoring_token=env.get("INTERREG_MONITORING_TOKEN") or None,
            max_rejected_pct=float(env.get("INTERREG_MAX_REJECTED_PCT") or 1),
            nuts_url=env.get("INTERREG_NUTS_URL") or None,
            keep_url=keep_url,
            keep_files=keep_files or (() if keep_url else (SAMPLE_KEEP_FILE,)),
            keep_programmes=parse_programmes(env.get("INTERREG_KEEP_PROGRAMMES")),
            keep_max_rejected_pct=float(env.get("INTERREG_KEEP_MAX_REJECTED_PCT") or 10),
        )

    def __repr__(self) -> str:  # the token never reaches a log line
        token = "***" if self.monitoring_token else None
        return (
            f"Settings(warehouse_dir={self.warehouse_dir!s}, monitoring_url={self.monitoring_url},"
            f" monitoring_token={token}, max_rejected_pct={self.max_rejected_pct},"
            f" keep_url={self.keep_url}, keep_files={[str(p) for p in self.keep_files]},"
            f" keep_programmes={list(self.keep_programmes)})"
        )


def parse_programmes(text: str | None) -> tuple[int, ...]:
    """`INTERREG_KEEP_PROGRAMMES`: keep.eu programme ids, comma-separated ("58,394")."""
    if not (text or "").strip():
        return DEFAULT_KEEP_PROGRAMMES
    ids = [part.strip() for part in text.split(",") if part.strip()]
    if not all(part.isascii() and part.isdigit() for part in ids):
        raise ConfigurationError(
            f"INTERREG_KEEP_PROGRAMMES={text!r}: give keep.eu programme ids as whole numbers"
            " separated by commas, e.g. 58 or 58,394"
        )
    return tuple(dict.fromkeys(int(part) for part in ids))
