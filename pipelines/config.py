"""Settings from environment variables. Every one is optional: unset means the bundled sample.

Each setting is defined once, as a field of `Settings`: its default, its environment
variable and the parser that validates it (a wrong value is refused with one line naming
the variable). Nothing here reads the environment at import: `Settings.from_env()` does,
when a code location, a CLI command or a test asks for it.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from pipelines.constants import PUBLISHED_FILE_NAME
from pipelines.errors import ConfigurationError

REPO_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_MONITORING_DIR = REPO_ROOT / "sample" / "monitoring"
SAMPLE_KEEP_FILE = REPO_ROOT / "sample" / "keep" / "keep_eu_export.xlsx"
# NUTS 2 layers bundled for the results page's map, one per NUTS version (sample/nuts/).
SAMPLE_NUTS_DIR = REPO_ROOT / "sample" / "nuts"
MIB = 1 << 20


def parse_text(name: str, text: str) -> str:
    return text


def parse_path(name: str, text: str) -> Path:
    return Path(text).expanduser()


def parse_paths(name: str, text: str) -> tuple[Path, ...]:
    """Paths separated by os.pathsep (":" on Linux)."""
    return tuple(Path(p.strip()).expanduser() for p in text.split(os.pathsep) if p.strip())


def parse_programmes(name: str, text: str) -> tuple[int, ...]:
    """keep.eu programme ids, comma-separated ("58,394")."""
    ids = [part.strip() for part in text.split(",") if part.strip()]
    if not ids or not all(part.isascii() and part.isdigit() for part in ids):
        raise ConfigurationError(
            f"{name}={text!r}: give keep.eu programme ids as whole numbers"
            " separated by commas, e.g. 58 or 58,394"
        )
    return tuple(dict.fromkeys(int(part) for part in ids))


def parse_interval(name: str, text: str) -> int:
    """Whole seconds between two looks of a sensor, at least a minute."""
    if not (text.isascii() and text.isdigit() and int(text) >= 60):
        raise ConfigurationError(
            f"{name}={text!r}: give whole seconds, at least 60 (86400 is a day)"
        )
    return int(text)


def parse_bytes(name: str, text: str) -> int:
    """A size in bytes: a whole number, optionally with K, M or G (binary: 128M = 128 MiB)."""
    value = text.upper().removesuffix("B").removesuffix("I")
    scale = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}.get(value[-1:], 1)
    digits = value[:-1] if scale > 1 else value
    if not (digits.isascii() and digits.isdigit() and int(digits) > 0):
        raise ConfigurationError(
            f"{name}={text!r}: give a size in bytes, a whole number above 0, optionally"
            " with K, M or G (128M is 128 MiB)"
        )
    return int(digits) * scale


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return math.nan


def parse_percent(name: str, text: str) -> float:
    """A share of rows in percent, 0 to 100. NaN would switch the threshold off unnoticed
    (every comparison with it is false): it is refused like any other non-number."""
    percent = _number(text)
    if not (math.isfinite(percent) and 0 <= percent <= 100):
        raise ConfigurationError(f"{name}={text!r}: give a percentage from 0 to 100, e.g. 1 or 2.5")
    return percent


def parse_seconds(name: str, text: str) -> float:
    """A duration in seconds: a number above 0."""
    seconds = _number(text)
    if not (math.isfinite(seconds) and seconds > 0):
        raise ConfigurationError(f"{name}={text!r}: give a number of seconds above 0")
    return seconds


def setting(env: str, default: Any, parse: Callable[[str, str], Any]) -> Any:
    """A field of Settings: its default, the variable that overrides it, how that is read."""
    return field(default=default, metadata={"env": env, "parse": parse})


@dataclass(frozen=True)
class Settings:
    warehouse_dir: Path = setting("INTERREG_WAREHOUSE_DIR", Path("warehouse"), parse_path)
    # The monitoring export: a folder, a file:// or an http(s):// URL, and its bearer token.
    monitoring_url: str = setting("INTERREG_MONITORING_URL", str(SAMPLE_MONITORING_DIR), parse_text)
    monitoring_token: str | None = setting("INTERREG_MONITORING_TOKEN", None, parse_text)
    # The share of a file's rows that may be rejected before the run stops, in percent.
    max_rejected_pct: float = setting("INTERREG_MAX_REJECTED_PCT", 1.0, parse_percent)
    # The HTTP client's limits for the monitoring export, in seconds: how long a request
    # may wait for the next bytes, and how long one file may take, retries included.
    monitoring_read_timeout: float = setting(
        "INTERREG_MONITORING_READ_TIMEOUT", 60.0, parse_seconds
    )
    monitoring_total_budget: float = setting(
        "INTERREG_MONITORING_TOTAL_BUDGET", 900.0, parse_seconds
    )
    # The results page's map: a NUTS 2 GeoJSON (URL or path); unset means the layer
    # bundled for the export's NUTS version (SAMPLE_NUTS_DIR), if any, else no map.
    nuts_url: str | None = setting("INTERREG_NUTS_URL", None, parse_text)
    # keep.eu: archived export files, else the API's base URL (ignored, with a warning, when
    # files are given too); neither set means the bundled sample file.
    keep_url: str | None = setting("INTERREG_KEEP_URL", None, parse_text)
    keep_files: tuple[Path, ...] = setting("INTERREG_KEEP_FILES", (SAMPLE_KEEP_FILE,), parse_paths)
    # keep.eu's id of Interreg Europe 2014-2020 (docs: shared/docs/sources.md).
    keep_programmes: tuple[int, ...] = setting("INTERREG_KEEP_PROGRAMMES", (58,), parse_programmes)
    keep_max_rejected_pct: float = setting("INTERREG_KEEP_MAX_REJECTED_PCT", 10.0, parse_percent)
    # Bounds on a keep.eu input (pipelines/sources/keep/limits.py): its bytes on disk or
    # over the wire, and what its workbook's zip declares uncompressed in all.
    keep_max_bytes: int = setting("INTERREG_KEEP_MAX_BYTES", 128 * MIB, parse_bytes)
    keep_max_unpacked_bytes: int = setting(
        "INTERREG_KEEP_MAX_UNPACKED_BYTES", 1024 * MIB, parse_bytes
    )
    # How often the sensor keep_export_changed POSTs the export to see whether it changed:
    # keep.eu refreshes about every four months, so a daily look is plenty.
    keep_sensor_interval_s: int = setting(
        "INTERREG_KEEP_SENSOR_INTERVAL", 24 * 60 * 60, parse_interval
    )
    # A libpq URL where the marts are copied after publishing; None: only the DuckDB file.
    postgres_url: str | None = setting("INTERREG_POSTGRES_URL", None, parse_text)

    def __post_init__(self) -> None:
        object.__setattr__(self, "warehouse_dir", Path(self.warehouse_dir).resolve())

    @property
    def published_path(self) -> Path:
        return self.warehouse_dir / PUBLISHED_FILE_NAME

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """The settings of `env` (the process environment if None), each validated."""
        env = os.environ if env is None else env
        given = {}
        for spec in fields(cls):
            text = (env.get(spec.metadata["env"]) or "").strip()
            if text:
                given[spec.name] = spec.metadata["parse"](spec.metadata["env"], text)
        if given.get("keep_url") and "keep_files" not in given:
            given["keep_files"] = ()  # the API instead of the bundled sample
        return cls(**given)

    @staticmethod
    def variables() -> dict[str, Any]:
        """Every setting's environment variable and its default, for docs and tests."""
        return {spec.metadata["env"]: spec.default for spec in fields(Settings)}

    @staticmethod
    def variable(name: str) -> str:
        """The environment variable of the setting `name`."""
        return next(spec.metadata["env"] for spec in fields(Settings) if spec.name == name)

    def __repr__(self) -> str:  # the token and the database password never reach a log line
        token = "***" if self.monitoring_token else None
        postgres = "***" if self.postgres_url else None  # the URL may hold the password
        return (
            f"Settings(warehouse_dir={self.warehouse_dir!s}, monitoring_url={self.monitoring_url},"
            f" monitoring_token={token}, max_rejected_pct={self.max_rejected_pct},"
            f" keep_url={self.keep_url}, keep_files={[str(p) for p in self.keep_files]},"
            f" keep_programmes={list(self.keep_programmes)}, postgres_url={postgres})"
        )
