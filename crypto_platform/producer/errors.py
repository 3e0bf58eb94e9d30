"""Errors of the producer's parsing layer."""

from __future__ import annotations


class BadFrame(ValueError):
    """A frame or trade that cannot become a canonical trade; the caller dead-letters it with `reason`."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
