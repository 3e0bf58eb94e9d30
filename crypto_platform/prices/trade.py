"""The canonical trade: the one message shape on the `crypto.trades` topic (docs/prices.md).

Validation lives here and only here: every feed parser builds a `Trade`, and a trade that exists is valid.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from json.encoder import encode_basestring_ascii  # type: ignore[attr-defined]
from typing import Any

import msgspec

from crypto_platform.common.numbers import NotStorable, feed_value, fits


class BadFrame(ValueError):
    """A frame or trade that cannot become a canonical trade; the caller dead-letters it with `reason`."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


SOURCES = frozenset({"finnhub", "coinbase", "kraken", "binance"})
"""The venues a trade can come from: the venue it stands for also when the local simulator made it
(then `simulated` is true)."""
SIDES = frozenset({"buy", "sell"})
MAX_TEXT = 256
"""Longest symbol, feed symbol or trade id accepted (exchange ids are under 64 characters)."""
MAX_TS_MS = 253_402_300_799_999
"""9999-12-31T23:59:59.999Z, the last millisecond a Snowflake TIMESTAMP_NTZ holds."""


@dataclass(frozen=True)
class LiveTimeBound:
    """How far a live trade's time may be from the time the producer received it, in ms: a feed
    that sends seconds (1714651200) where milliseconds are due makes a trade 56 years old, which
    would become its symbol's 24-hour reference. Set by TRADE_MAX_AGE_SECONDS and
    TRADE_MAX_AHEAD_SECONDS; the producer and the loader refuse a trade outside it, with the reason.
    Trades fetched from an exchange's history are old by design and are not held to it."""

    max_age_ms: int
    max_ahead_ms: int

    @classmethod
    def from_seconds(cls, max_age: float, max_ahead: float) -> LiveTimeBound:
        return cls(round(max_age * 1000), round(max_ahead * 1000))

    def refusal(self, trade: Trade) -> str | None:
        """Why `trade` is refused, or None when its time is plausible (always for a trade from the
        venue's history)."""
        if trade.from_history:
            return None
        early = trade.received_ts_ms - trade.trade_ts_ms
        if early > self.max_age_ms:
            return (
                f"trade_ts_ms {trade.trade_ts_ms} is {early / 1000:,.0f} s before its receive time "
                f"(at most {self.max_age_ms / 1000:,.0f} s, TRADE_MAX_AGE_SECONDS): seconds where "
                "milliseconds are due?"
            )
        if -early > self.max_ahead_ms:
            return (
                f"trade_ts_ms {trade.trade_ts_ms} is {-early / 1000:,.0f} s after its receive time "
                f"(at most {self.max_ahead_ms / 1000:,.0f} s, TRADE_MAX_AHEAD_SECONDS): "
                "microseconds or a clock running ahead?"
            )
        return None


def parse_decimal(value: Any, name: str) -> Decimal:
    """A price or size from a JSON string, integer or (parsed with `parse_float=Decimal`) number,
    never a float, as the warehouse will hold it: rounded by the feed rule of
    `crypto_platform.common.numbers` or refused (BadFrame) when NUMBER(38,12) cannot hold it."""
    if isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool)):
        try:
            value = Decimal(value)
        except InvalidOperation:
            raise BadFrame(f"{name} is not a number: {value!r}") from None
    elif not isinstance(value, Decimal):
        raise BadFrame(f"{name} must be a decimal string or number, not {type(value).__name__}")
    if not value.is_finite():
        raise _not_positive_decimal(name, value)
    try:
        return feed_value(value, name)
    except NotStorable as exc:
        raise BadFrame(str(exc)) from None


def decimal_text(value: Decimal) -> str:
    """Plain notation (`0.00000010`, not `1.0E-7`): the form on the wire and in synthetic ids.

    `str` gives that same text for every decimal it writes without an exponent (all the usual
    prices and sizes) several times faster than `format(value, "f")`, which is kept for the rest."""
    text = str(value)
    return text if "E" not in text else format(value, "f")


def synthetic_trade_id(
    source: str, feed_symbol: str, price: Decimal, size: Decimal, trade_ts_ms: int, index: int
) -> str:
    """A deterministic id for feeds without one (Finnhub): the same frame always yields the same ids.

    The index within the frame separates identical fills in one batch. 128 bits of sha256 is ample.
    """
    text = f"{source}|{feed_symbol}|{decimal_text(price)}|{decimal_text(size)}|{trade_ts_ms}|{index}"
    return hashlib.sha256(text.encode()).hexdigest()[:32]


class Trade(msgspec.Struct, frozen=True, gc=False):
    """Immutable and never tracked by the garbage collector (it holds no containers): the producer
    makes one per trade, and a frozen dataclass costs several times more to build."""

    source: str
    symbol: str
    feed_symbol: str
    price: Decimal
    size: Decimal
    trade_ts_ms: int
    received_ts_ms: int
    trade_id: str
    side: str | None = None
    simulated: bool = False
    """Made by the local simulator in the venue's name, not traded on the venue."""
    from_history: bool = False
    """Fetched from the venue's REST trade history (a gap repair or a backfill), not its live feed:
    old by design, so not held to the `LiveTimeBound`."""

    def __post_init__(self) -> None:
        # Checked inline, not through a helper per field: this runs once per trade on the hot path.
        if type(self.source) is not str or self.source not in SOURCES:
            raise BadFrame(f"unknown source {self.source!r}")
        if type(self.symbol) is not str or not 0 < len(self.symbol) <= MAX_TEXT:
            raise _not_text("symbol", self.symbol)
        if type(self.feed_symbol) is not str or not 0 < len(self.feed_symbol) <= MAX_TEXT:
            raise _not_text("feed_symbol", self.feed_symbol)
        if type(self.trade_id) is not str or not 0 < len(self.trade_id) <= MAX_TEXT:
            raise _not_text("trade_id", self.trade_id)
        if type(self.price) is not Decimal or not self.price.is_finite() or self.price <= 0:
            raise _not_positive_decimal("price", self.price)
        if type(self.size) is not Decimal or not self.size.is_finite() or self.size <= 0:
            raise _not_positive_decimal("size", self.size)
        if not (fits(self.price) and fits(self.size)):  # feed values are fitted by parse_decimal
            raise BadFrame(f"price {self.price} or size {self.size} does not fit NUMBER(38,12)")
        if type(self.trade_ts_ms) is not int or not 0 < self.trade_ts_ms <= MAX_TS_MS:
            raise _not_time("trade_ts_ms", self.trade_ts_ms)
        if type(self.received_ts_ms) is not int or not 0 < self.received_ts_ms <= MAX_TS_MS:
            raise _not_time("received_ts_ms", self.received_ts_ms)
        if self.side is not None and (type(self.side) is not str or self.side not in SIDES):
            raise BadFrame(f"side must be buy, sell or absent, got {self.side!r}")
        if type(self.simulated) is not bool or type(self.from_history) is not bool:
            raise BadFrame(f"simulated and from_history must be true or false, got {self.simulated!r}, "
                           f"{self.from_history!r}")  # fmt: skip

    def to_json(self) -> bytes:
        """Compact JSON, keys in field order, price and size as decimal strings.

        Built by hand (the same bytes as `json.dumps(..., separators=(",", ":"))`, a test checks):
        this runs once per trade on the producer's hot path, and the leading fields repeat per symbol.
        """
        side = "null" if self.side is None else _quote(self.side)
        return (
            f'{_head(self.source, self.symbol, self.feed_symbol)}"price":"{decimal_text(self.price)}",'
            f'"size":"{decimal_text(self.size)}","trade_ts_ms":{self.trade_ts_ms},'
            f'"received_ts_ms":{self.received_ts_ms},"trade_id":{_quote(self.trade_id)},"side":{side},'
            f'"simulated":{_BOOL[self.simulated]},"from_history":{_BOOL[self.from_history]}}}'
        ).encode()

    def key(self) -> bytes:
        """The Kafka key: one symbol's trades share a partition and keep their order."""
        return self.symbol.encode()

    @classmethod
    def from_json(cls, data: bytes | str | None) -> Trade:
        """The trade a Kafka message holds; BadFrame naming the problem for anything else (a null
        value, which Kafka calls a tombstone, text that is not UTF-8 or not JSON, a wrong shape)."""
        if not data:
            raise BadFrame("empty message" if data is not None else "null message (a Kafka tombstone)")
        try:
            obj = json.loads(data)
        except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
            raise BadFrame(f"invalid JSON: {exc}") from None
        if not isinstance(obj, dict):
            raise BadFrame("trade is not a JSON object")
        missing = [name for name in _REQUIRED if name not in obj]
        if missing:
            raise BadFrame(f"missing field(s): {', '.join(missing)}")
        return cls(
            source=obj["source"],
            symbol=obj["symbol"],
            feed_symbol=obj["feed_symbol"],
            price=parse_decimal(obj["price"], "price"),
            size=parse_decimal(obj["size"], "size"),
            trade_ts_ms=obj["trade_ts_ms"],
            received_ts_ms=obj["received_ts_ms"],
            trade_id=obj["trade_id"],
            side=obj.get("side"),
            simulated=obj.get("simulated", False),
            from_history=obj.get("from_history", False),
        )


_quote = encode_basestring_ascii
_BOOL = {False: "false", True: "true"}


@functools.lru_cache(maxsize=4096)
def _head(source: str, symbol: str, feed_symbol: str) -> str:
    return f'{{"source":{_quote(source)},"symbol":{_quote(symbol)},"feed_symbol":{_quote(feed_symbol)},'


def _not_text(name: str, value: object) -> BadFrame:
    shown = f"{value[:40]!r}... ({len(value)} characters)" if isinstance(value, str) else repr(value)
    return BadFrame(f"{name} must be a string of 1 to {MAX_TEXT} characters, got {shown}")


def _not_positive_decimal(name: str, value: object) -> BadFrame:
    return BadFrame(f"{name} must be a finite decimal > 0, got {value!r}")


def _not_time(name: str, value: object) -> BadFrame:
    return BadFrame(f"{name} must be epoch milliseconds from 1 to {MAX_TS_MS} (year 9999), got {value!r}")


_REQUIRED = tuple(
    name for name in Trade.__struct_fields__ if name not in ("side", "simulated", "from_history")
)
