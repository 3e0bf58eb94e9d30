"""The simulator's settings, with the test hooks (faults, drops) off by default."""

from __future__ import annotations

from dataclasses import dataclass

# Malformed frames the simulator can inject; each one must become exactly one dead letter downstream.
MALFORMED_KINDS = ("bad_json", "missing_p", "negative_price")


@dataclass(frozen=True, slots=True)
class SimulatorConfig:
    host: str = "127.0.0.1"
    port: int = 0
    seed: int = 42
    rate: float = 200.0
    """Trades per second on each venue, over its default symbol set: each (venue, symbol) gets
    rate * weight(base) / 26 (`market.per_minute`), whoever is connected."""
    tick: float = 0.1
    """Seconds between trade frames; each frame batches the trades of one tick."""
    ping_interval: float = 15.0
    error_ratio: float = 0.0
    """Chance per tick of an `error` frame (Finnhub's protocol)."""
    malformed_ratio: float = 0.0
    """Chance per tick of one malformed frame or item, of a kind drawn from `malformed_kinds` (Finnhub's
    protocol)."""
    malformed_kinds: tuple[str, ...] = MALFORMED_KINDS
    drop_after_frames: int | None = None
    """Close each connection's TCP stream (any venue), without a websocket close, after this many frames."""
    max_batch: int = 500
    """Most trades in one frame; a busier tick is split over several frames."""
    start_ms: int | None = None
    """The market clock at the simulator's start (ms since the epoch, UTC), running on from there;
    None means the wall clock."""
    record: bool = False
    """Keep every sent trade in `counters.sent`, for tests that compare what arrived."""

    def __post_init__(self) -> None:
        if self.rate <= 0 or self.tick <= 0 or self.ping_interval <= 0 or self.max_batch < 1:
            raise ValueError("rate, tick, ping_interval and max_batch must be positive")
        if unknown := set(self.malformed_kinds) - set(MALFORMED_KINDS):
            raise ValueError(f"unknown malformed kinds {sorted(unknown)}; known: {MALFORMED_KINDS}")
