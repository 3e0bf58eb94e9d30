"""One alert: what happened, to which asset and check, and where to look in the Dagster UI."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any


def utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class Alert:
    rule: str
    kind: str  # failure, recovery, run_failure or test
    message: str
    asset_key: str | None = None
    check_name: str | None = None
    severity: str | None = None  # WARN or ERROR for check alerts
    dagster_url: str | None = None
    raised_at: datetime = field(default_factory=utc_now)  # naive UTC, as stored
    id: str = field(default_factory=lambda: uuid.uuid4().hex)

    def as_json(self) -> dict[str, Any]:
        """The webhook body."""
        return {
            "id": self.id, "rule": self.rule, "kind": self.kind, "message": self.message,
            "asset": self.asset_key, "check": self.check_name, "severity": self.severity,
            "dagster_url": self.dagster_url, "raised_at": self.raised_at.isoformat() + "Z",
        }  # fmt: skip
