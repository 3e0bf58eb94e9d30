"""The settings that shape the code location itself, read once when it loads: the first day of the
news partitions, when the daily landing runs, how often sensors tick and checks run, the alerts
file, and the resources' configuration. Dagster needs these to build its definitions; what assets,
checks and sensors use while they run reaches them through their resources (`defs.resources`),
which the UI shows."""

from __future__ import annotations

from crypto_platform.settings import get_settings

SETTINGS = get_settings()
