"""The frames one websocket connection receives, tick by tick.

A connection streams, at each tick, exactly the market's trades (`market.trades`) of its subscribed
symbols whose send time (trade time + the venue's delay) fell since the previous tick, in time order,
framed by its venue's protocol (`venues`). No I/O and no clock of its own: the caller passes the time
(or lets each tick advance the clock by `config.tick`), so the same inputs always give the same
frames. The connection's ordinal seeds only its faults.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from crypto_platform.simulator import market
from crypto_platform.simulator.config import SimulatorConfig
from crypto_platform.simulator.market import SimTrade
from crypto_platform.simulator.venues import FINNHUB, Frame, Protocol


class FeedSession:
    """One connection's subscriptions and clock (ms since the epoch, UTC) on `protocol`'s venue."""

    def __init__(
        self, config: SimulatorConfig, connection: int, start_ms: int, protocol: Protocol = FINNHUB
    ) -> None:
        self.config = config
        self.protocol = protocol
        self.venue = protocol.venue
        self.faults = random.Random(f"{config.seed}:{protocol.venue.name}:{connection}:faults")
        self.clock_ms = start_ms
        self.ticks = 0
        self.last_trade_frame_ms = start_ms
        self._since: dict[str, int] = {}  # subscribed symbol -> send time its next trades start at

    @property
    def symbols(self) -> list[str]:
        return list(self._since)

    def subscribe(self, symbol: str) -> bool:
        """Stream `symbol` from now on (no backlog); False when it already was."""
        if symbol in self._since:
            return False
        self._since[symbol] = self.clock_ms
        return True

    def unsubscribe(self, symbol: str) -> bool:
        return self._since.pop(symbol, None) is not None

    def history(self, symbol: str, count: int) -> list[SimTrade]:
        """The last `count` trades of `symbol` sent before now (snapshots, Coinbase's last_match)."""
        horizon = self.clock_ms - self.venue.delay_ms
        found: list[SimTrade] = []
        start = horizon
        while len(found) < count:
            start -= market.MINUTE_MS
            found = self._trades(symbol, start, horizon)
        return found[-count:]

    def next_frames(self, now_ms: int | None = None, omit: Sequence[tuple[int, int]] = ()) -> list[Frame]:
        """The frames of the tick ending at `now_ms` (default: one `tick` on): trades, then any fault,
        then a due keep-alive. Trades whose send time is inside an `omit` window [start, end) are
        skipped, as if lost upstream; they stay in the venue's history."""
        self.ticks += 1
        self.clock_ms = max(self.clock_ms, now_ms or round(self.clock_ms + self.config.tick * 1000))
        delay = self.venue.delay_ms
        trades: list[SimTrade] = []
        for symbol, since in self._since.items():
            trades.extend(self._trades(symbol, since - delay, self.clock_ms - delay))
            self._since[symbol] = self.clock_ms
        if omit:
            trades = [t for t in trades if not any(a <= t.ts_ms + delay < b for a, b in omit)]
        trades.sort(key=market.trade_time)  # stable: each symbol's trades keep their id order
        frames = self.protocol.trade_frames(trades, self.config.max_batch)
        if frames:
            self.last_trade_frame_ms = self.clock_ms
        return self.protocol.finish(self, frames)

    def _trades(self, symbol: str, start_ms: int, end_ms: int) -> list[SimTrade]:
        return market.trades(self.config.seed, self.venue.name, symbol, start_ms, end_ms, self.config.rate)
