"""What every feed parser shares: the result type, JSON loading, field readers and the batch policy.

A feed module is small: its `URL`, `SIMULATOR_PATH` (where the local simulator speaks its
protocol), `DEFAULT_SYMBOLS`, `CONSECUTIVE_IDS` (whether trade ids count up by one per symbol, so that the
loader finds gaps by id), optionally `MAX_SESSION_SECONDS` (a connection's lifetime limit),
`subscribe_messages(symbols) -> list[str]` and a pure `parse(raw, received_ts_ms, simulated,
symbols) -> ParseResult` (`simulated` marks trades that come from the simulator; `symbols` maps
feed symbols to BASE-QUOTE). A feed with a public REST trade history also has `REST_URL`,
`SIMULATOR_REST_PATH` and `history(client, base, missing, simulated, symbols) -> list[Trade]`:
exactly the trades of a `Missing` range, marked `from_history`. Parsers raise `BadFrame` for a
frame that yields nothing usable; the caller dead-letters the raw frame with the reason.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, Literal, NamedTuple

import httpx
import msgspec

from crypto_platform.clients.http import get_with_retries
from crypto_platform.prices.symbols import SymbolMap
from crypto_platform.prices.trade import BadFrame, Trade, parse_decimal

Kind = Literal["trades", "ping", "error", "control"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MILLISECOND = timedelta(milliseconds=1)


@dataclass(frozen=True, slots=True)
class ParseResult:
    """One frame's meaning.

    `kind` is "trades" (possibly zero of them, e.g. an empty snapshot), "ping", "error" (the feed's
    message in `error`) or "control" (acks, heartbeats, status). `rejected` holds the items of a trade
    batch that failed validation, each with its reason, when other items in the same frame were
    valid: the caller dead-letters just those. Items come from JSON read with numbers that have a
    fraction as `Decimal`, so serialise them with `json.dumps(item, default=str)`.
    """

    kind: Kind
    trades: list[Trade] = field(default_factory=list)
    error: str | None = None
    rejected: list[tuple[Any, str]] = field(default_factory=list)


_DECODER = msgspec.json.Decoder(float_hook=Decimal)  # json.loads(parse_float=Decimal), 30% faster


def load_object(raw: str | bytes) -> dict[str, Any]:
    """The frame as a JSON object, numbers with a fraction as `Decimal` so no precision is lost."""
    try:
        frame = _DECODER.decode(raw)
    except msgspec.DecodeError as exc:  # includes invalid UTF-8
        raise BadFrame(f"invalid JSON: {exc}") from None
    if not isinstance(frame, dict):
        raise BadFrame(f"frame is not a JSON object but {type(frame).__name__}")
    return frame


def unknown(what: str, value: Any) -> BadFrame:
    return BadFrame(f"unknown {what} {value!r}")


def require(item: dict[str, Any], key: str) -> Any:
    value = item.get(key)
    if value is None:
        raise BadFrame(f"missing field {key!r}")
    return value


def text(item: dict[str, Any], key: str) -> str:
    value = require(item, key)
    if not isinstance(value, str) or not value:
        raise BadFrame(f"field {key!r} must be a non-empty string, got {value!r}")
    return value


def decimal(item: dict[str, Any], key: str) -> Decimal:
    return parse_decimal(require(item, key), key)


def integer(item: dict[str, Any], key: str) -> int:
    value = require(item, key)
    if type(value) is not int:
        raise BadFrame(f"field {key!r} must be an integer, got {value!r}")
    return value


def feed_id(item: dict[str, Any], key: str) -> str:
    """A feed's own trade id, integer or string, as a string."""
    value = require(item, key)
    if type(value) not in (int, str) or value == "":
        raise BadFrame(f"field {key!r} must be an integer or a non-empty string, got {value!r}")
    return str(value)


def iso_ms(item: dict[str, Any], key: str) -> int:
    """An ISO 8601 time (`2014-11-07T08:19:27.028459Z`; UTC when it has no offset) in epoch milliseconds."""
    value = text(item, key)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise BadFrame(f"field {key!r} is not an ISO 8601 time: {value!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment - _EPOCH) // _MILLISECOND


def trade_batch(items: Any, build: Callable[[int, dict[str, Any]], Trade]) -> ParseResult:
    """Build a trade from each item (`build(index, item)`), keeping the valid ones.

    The whole frame is bad (BadFrame) only when no item is valid; otherwise the bad items are returned
    in `rejected` so a single bad fill does not cost the good ones in the same batch.
    """
    if not isinstance(items, list):
        raise BadFrame(f"trade data must be a list, got {type(items).__name__}")
    trades: list[Trade] = []
    rejected: list[tuple[Any, str]] = []
    for index, item in enumerate(items):
        try:
            if not isinstance(item, dict):
                raise BadFrame(f"trade is not a JSON object but {type(item).__name__}")
            trades.append(build(index, item))
        except BadFrame as exc:
            rejected.append((item, exc.reason))
    if rejected and not trades:
        reasons = "; ".join(dict.fromkeys(reason for _, reason in rejected))
        raise BadFrame(reasons if len(rejected) == 1 else f"all {len(rejected)} trades invalid: {reasons}")
    return ParseResult("trades", trades, rejected=rejected)


class Missing(NamedTuple):
    """A feed symbol's missing trades: ids `first_id` to `last_id`, traded from `start_ms` (the
    trade before them, epoch ms UTC) on."""

    feed_symbol: str
    first_id: int
    last_id: int
    start_ms: int


HTTP_RETRIES = 10
"""How many times a history request answered 429 or 5xx, or lost in transport, is made again."""
MAX_RETRY_WAIT = 60.0
"""The longest wait before one retry, also for a Retry-After that asks for more."""


def get_json(client: httpx.Client, url: str, params: dict[str, Any]) -> Any:
    """GET `url` as JSON (numbers with a fraction as `Decimal`). A 429 Too Many Requests, a 5xx or a
    transport error is tried again (`clients.http.get_with_retries`) up to HTTP_RETRIES times, after
    its Retry-After, else 1 s doubled per retry, at most MAX_RETRY_WAIT. Raises RetriesExhausted
    when the last try fails too, and httpx.HTTPStatusError for any other error status."""
    response = get_with_retries(client, url, params, HTTP_RETRIES, max_delay=MAX_RETRY_WAIT)
    response.raise_for_status()
    return _DECODER.decode(response.content)


def received_now_ms() -> int:
    return time.time_ns() // 1_000_000


class FieldNames(NamedTuple):
    """Where an exchange (Coinbase, Kraken) keeps each part of a trade that has its own id and ISO time."""

    symbol: str
    price: str
    size: str
    time: str
    trade_id: str


def exchange_trade(
    item: dict[str, Any],
    names: FieldNames,
    source: str,
    received_ts_ms: int,
    side: str | None,
    symbols: SymbolMap,
    simulated: bool,
    from_history: bool = False,
) -> Trade:
    feed_symbol = text(item, names.symbol)
    return Trade(
        source=source,
        symbol=symbols.symbol(feed_symbol),
        feed_symbol=feed_symbol,
        price=decimal(item, names.price),
        size=decimal(item, names.size),
        trade_ts_ms=iso_ms(item, names.time),
        received_ts_ms=received_ts_ms,
        trade_id=feed_id(item, names.trade_id),
        side=side,
        simulated=simulated,
        from_history=from_history,
    )
