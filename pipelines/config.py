"""Settings from environment variables. Every one is optional: unset means the bundled sample."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_MONITORING_DIR = REPO_ROOT / "sample" / "monitoring"
PUBLISHED_FILE_NAME = "interreg.duckdb"


@dataclass(frozen=True)
class Settings:
    warehouse_dir: Path
    monitoring_url: str
    monitoring_token: str | None
    max_rejected_pct: float

    @property
    def published_path(self) -> Path:
        return self.warehouse_dir / PUBLISHED_FILE_NAME

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        return cls(
            warehouse_dir=Path(env.get("INTERREG_WAREHOUSE_DIR") or "warehouse").resolve(),
            monitoring_url=env.get("INTERREG_MONITORING_URL") or str(SAMPLE_MONITORING_DIR),
            monitoring_token=env.get("INTERREG_MONITORING_TOKEN") or None,
            max_rejected_pct=float(env.get("INTERREG_MAX_REJECTED_PCT") or 1),
        )

    def __repr__(self) -> str:  # the token never reaches a log line
        token = "***" if self.monitoring_token else None
        return (
            f"Settings(warehouse_dir={self.warehouse_dir!s}, monitoring_url={self.monitoring_url},"
            f" monitoring_token={token}, max_rejected_pct={self.max_rejected_pct})"
        )
