"""Settings from environment variables. Every one is optional: unset means the bundled sample."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path

from pipelines.constants import PUBLISHED_FILE_NAME
from pipelines.errors import ConfigurationError

REPO_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_MONITORING_DIR = REPO_ROOT / "sample" / "monitoring"
SAMPLE_KEEP_FILE = REPO_ROOT / "sample" / "keep" / "keep_eu_export.xlsx"
# NUTS 2 layers bundled for the results page's map, one per NUTS version (sample/nuts/).
SAMPLE_NUTS_DIR = REPO_ROOT / "sample" / "nuts"
# keep.eu's id of Interreg Europe 2014-2020 (docs: shared/docs/sources.md).
DEFAULT_KEEP_PROGRAMMES = (58,)
# Bounds on a keep.eu input: its bytes on disk or over the wire, and what its workbook's zip
# declares uncompressed in all. pipelines/sources/keep/limits.py checks them.
DEFAULT_KEEP_MAX_BYTES = 128 << 20
DEFAULT_KEEP_MAX_UNPACKED_BYTES = 1024 << 20
# keep.eu refreshes about every four months: a daily look is plenty.
DEFAULT_KEEP_SENSOR_INTERVAL_S = 24 * 60 * 60


@dataclass(frozen=True)
class Settings:
    warehouse_dir: Path
    monitoring_url: str
    monitoring_token: str | None
    max_rejected_pct: float
    # The HTTP client's limits for the monitoring export, in seconds: how long a request
    # may wait for the next bytes, and how long one file may take, retries included.
    monitoring_read_timeout: float = 60.0
    monitoring_total_budget: float = 900.0
    # The results page's map: a NUTS 2 GeoJSON (URL or path); unset means the layer
    # bundled for the export's NUTS version (SAMPLE_NUTS_DIR), if any, else no map.
    nuts_url: str | None = None
    # keep.eu: archived export files, else the API's base URL (ignored, with a warning, when
    # files are given too); neither set means the bundled sample file.
    keep_url: str | None = None
    keep_files: tuple[Path, ...] = field(default=(SAMPLE_KEEP_FILE,))
    keep_programmes: tuple[int, ...] = DEFAULT_KEEP_PROGRAMMES
    keep_max_rejected_pct: float = 10.0
    # Bounds on a keep.eu input (pipelines/sources/keep/limits.py): its bytes on disk or
    # over the wire, and what its workbook's zip declares uncompressed in all.
    keep_max_bytes: int = DEFAULT_KEEP_MAX_BYTES
    keep_max_unpacked_bytes: int = DEFAULT_KEEP_MAX_UNPACKED_BYTES
    # How often the sensor keep_export_changed POSTs the export to see whether it changed.
    keep_sensor_interval_s: int = DEFAULT_KEEP_SENSOR_INTERVAL_S
    # A libpq URL where the marts are copied after publishing; None: only the DuckDB file.
    postgres_url: str | None = None

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
            max_rejected_pct=parse_percent(env, "INTERREG_MAX_REJECTED_PCT", 1.0),
            monitoring_read_timeout=parse_seconds(env, "INTERREG_MONITORING_READ_TIMEOUT", 60.0),
            monitoring_total_budget=parse_seconds(env, "INTERREG_MONITORING_TOTAL_BUDGET", 900.0),
            nuts_url=env.get("INTERREG_NUTS_URL") or None,
            keep_url=keep_url,
            keep_files=keep_files or (() if keep_url else (SAMPLE_KEEP_FILE,)),
            keep_programmes=parse_programmes(env.get("INTERREG_KEEP_PROGRAMMES")),
            keep_max_rejected_pct=parse_percent(env, "INTERREG_KEEP_MAX_REJECTED_PCT", 10.0),
            keep_max_bytes=parse_bytes(env, "INTERREG_KEEP_MAX_BYTES", DEFAULT_KEEP_MAX_BYTES),
            keep_max_unpacked_bytes=parse_bytes(
                env, "INTERREG_KEEP_MAX_UNPACKED_BYTES", DEFAULT_KEEP_MAX_UNPACKED_BYTES
            ),
            keep_sensor_interval_s=parse_interval(env.get("INTERREG_KEEP_SENSOR_INTERVAL")),
            postgres_url=(env.get("INTERREG_POSTGRES_URL") or "").strip() or None,
        )

    def __repr__(self) -> str:  # the token and the database password never reach a log line
        token = "***" if self.monitoring_token else None
        postgres = "***" if self.postgres_url else None  # it may hold the password
        return (
            f"Settings(warehouse_dir={self.warehouse_dir!s}, monitoring_url={self.monitoring_url},"
            f" monitoring_token={token}, max_rejected_pct={self.max_rejected_pct},"
            f" keep_url={self.keep_url}, keep_files={[str(p) for p in self.keep_files]},"
            f" keep_programmes={list(self.keep_programmes)}, postgres_url={postgres})"
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


def parse_interval(text: str | None) -> int:
    """`INTERREG_KEEP_SENSOR_INTERVAL`: seconds between the keep.eu sensor's looks."""
    if not (text or "").strip():
        return DEFAULT_KEEP_SENSOR_INTERVAL_S
    value = text.strip()
    if not (value.isascii() and value.isdigit() and int(value) >= 60):
        raise ConfigurationError(
            f"INTERREG_KEEP_SENSOR_INTERVAL={text!r}: give whole seconds, at least 60"
            " (86400 is a day)"
        )
    return int(value)


def parse_bytes(env: dict[str, str], name: str, default: int) -> int:
    """A size in bytes: a whole number, optionally with K, M or G (binary: 128M = 128 MiB)."""
    text = env.get(name)
    if not (text or "").strip():
        return default
    value = text.strip().upper().removesuffix("B").removesuffix("I")
    scale = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}.get(value[-1:], 1)
    digits = value[:-1] if scale > 1 else value
    if not (digits.isascii() and digits.isdigit() and int(digits) > 0):
        raise ConfigurationError(
            f"{name}={text!r}: give a size in bytes, a whole number above 0, optionally"
            " with K, M or G (128M is 128 MiB)"
        )
    return int(digits) * scale


def parse_percent(env: dict[str, str], name: str, default: float) -> float:
    """A share of rows in percent, 0 to 100. NaN would switch the threshold off unnoticed
    (every comparison with it is false): it is refused like any other non-number."""
    text = (env.get(name) or "").strip()
    if not text:
        return default
    try:
        percent = float(text)
    except ValueError:
        percent = math.nan
    if not (math.isfinite(percent) and 0 <= percent <= 100):
        raise ConfigurationError(f"{name}={text!r}: give a percentage from 0 to 100, e.g. 1 or 2.5")
    return percent


def parse_seconds(env: dict[str, str], name: str, default: float) -> float:
    """A duration in seconds: a number above 0."""
    text = (env.get(name) or "").strip()
    if not text:
        return default
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not (math.isfinite(seconds) and seconds > 0):
        raise ConfigurationError(f"{name}={text!r}: give a number of seconds above 0")
    return seconds
