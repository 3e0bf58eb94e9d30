"""The frames one websocket connection receives, tick by tick.

A pure function of the seed, the connection's ordinal, its start time and the subscriptions at each
tick: no I/O and no clock, so the same inputs always give the same frames.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from crypto_platform.simulator.config import SimulatorConfig
from crypto_platform.simulator.market import SimTrade, SymbolStream

PING_TEXT = '{"type":"ping"}'


@dataclass(frozen=True, slots=True)
class Frame:
    text: str
    kind: str  # "trade", "ping", "error" or "malformed" (a frame that is not even JSON)
    trades: tuple[SimTrade, ...] = ()  # the valid trades it carries
    malformed: str | None = None  # the malformed kind it carries: worth exactly one dead letter


def _compact(obj: Any) -> str:
    return json.dumps(obj, separators=(",", ":"))


def error_frame(message: str) -> Frame:
    return Frame(_compact({"type": "error", "msg": message}), "error")


def _item(trade: SimTrade) -> dict[str, Any]:
    # Finnhub sends price and volume as JSON numbers; the grid keeps them short and exact as floats.
    return {"c": None, "p": float(trade.price), "s": trade.symbol, "t": trade.ts_ms, "v": float(trade.size)}


def _trade_frame(trades: list[SimTrade], bad: tuple[str, dict[str, Any]] | None = None) -> Frame:
    items = [_item(trade) for trade in trades]
    if bad is not None:
        items.append(bad[1])
    return Frame(_compact({"data": items, "type": "trade"}), "trade", tuple(trades), bad[0] if bad else None)


class FeedSession:
    def __init__(self, config: SimulatorConfig, connection: int, start_ms: int) -> None:
        self._config = config
        self._key = f"{config.seed}:{connection}"
        self._faults = random.Random(f"{self._key}:faults")
        self._streams: dict[str, SymbolStream] = {}
        self._active: dict[str, SymbolStream] = {}  # subscription order
        self._start_ms = start_ms
        self._tick = 0
        self._ping_every = max(1, round(config.ping_interval / config.tick))

    @property
    def symbols(self) -> list[str]:
        return list(self._active)

    def _now_ms(self) -> float:
        return self._start_ms + self._tick * self._config.tick * 1000

    def subscribe(self, symbol: str) -> None:
        if symbol in self._active:
            return
        stream = self._streams.get(symbol)
        if stream is None:
            stream = self._streams[symbol] = SymbolStream(symbol, self._key, self._now_ms())
        else:
            stream.resume(self._now_ms())
        self._active[symbol] = stream

    def unsubscribe(self, symbol: str) -> None:
        self._active.pop(symbol, None)

    def next_frames(self) -> list[Frame]:
        """The frames of the next tick, in sending order: trades, then any fault, then a due ping."""
        self._tick += 1
        frames = self._trade_frames(self._now_ms())
        config, faults = self._config, self._faults
        if faults.random() < config.malformed_ratio:
            frames = self._inject(frames, faults.choice(config.malformed_kinds))
        if faults.random() < config.error_ratio:
            frames.append(error_frame("Simulated upstream error"))
        if self._tick % self._ping_every == 0:
            frames.append(Frame(PING_TEXT, "ping"))
        return frames

    def _trade_frames(self, end_ms: float) -> list[Frame]:
        total_weight = sum(stream.weight for stream in self._active.values())
        trades = [
            trade
            for stream in self._active.values()
            for trade in stream.trades_until(end_ms, self._config.rate * stream.weight / total_weight)
        ]
        trades.sort(key=lambda trade: (trade.ts_ms, trade.symbol))  # stable: fills keep their order
        size = self._config.max_batch
        return [_trade_frame(trades[start : start + size]) for start in range(0, len(trades), size)]

    def _inject(self, frames: list[Frame], kind: str) -> list[Frame]:
        """Add one malformed thing: a truncated frame, or a bad item appended to the last trade batch."""
        if kind == "bad_json":
            return [*frames, Frame('{"data":[{"p":1.5,"s":', "malformed", malformed=kind)]
        if frames:
            trades = list(frames[-1].trades)
            template = _item(trades[-1])
        elif self._active:
            trades, stream = [], next(iter(self._active.values()))
            template = _item(SimTrade(stream.symbol, stream.last_price, Decimal(1), int(self._now_ms())))
        else:
            return frames  # nothing subscribed: no symbol to spoil
        if kind == "missing_p":
            del template["p"]
        else:
            template["p"] = -template["p"]
        return [*frames[:-1], _trade_frame(trades, (kind, template))]
