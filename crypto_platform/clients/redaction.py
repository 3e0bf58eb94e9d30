"""Secrets out of what the platform logs and shows."""

from __future__ import annotations

import re


def redact(url: str) -> str:
    """The URL without its API token, for logs."""
    return re.sub(r"(token=)[^&]+", r"\1***", url)
