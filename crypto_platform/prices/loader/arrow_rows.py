"""Kafka messages (canonical trade JSON) to an Arrow table shaped like RAW.TRADES_STAGE.

The fast path parses a whole batch of messages in Arrow's C++ JSON reader and validates columns at
once, by the same rules as the canonical `Trade`. A batch with any message it cannot take (null,
not JSON, not shaped like a trade, a value out of range, a number NUMBER(38,12) cannot hold exactly,
a trade time outside the live bound `LiveTimeBound`)
goes through `Trade.from_json` message by message, which rounds feed values by the numeric rule
(`crypto_platform.common.numbers`) and names each bad message's problem.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pj

from crypto_platform.prices.trade import (
    MAX_TEXT,
    MAX_TS_MS,
    SIDES,
    SOURCES,
    BadFrame,
    LiveTimeBound,
    Trade,
    decimal_text,
)  # fmt: skip

NUMBER = pa.decimal128(38, 12)
JSON_BLOCK_BYTES = 4 << 20
WIRE_SCHEMA = pa.schema(
    [
        ("source", pa.string()), ("symbol", pa.string()), ("feed_symbol", pa.string()),
        ("price", pa.string()), ("size", pa.string()), ("trade_ts_ms", pa.int64()),
        ("received_ts_ms", pa.int64()), ("trade_id", pa.string()), ("side", pa.string()),
        ("simulated", pa.bool_()), ("from_history", pa.bool_()),
    ]
)  # fmt: skip
_SOURCES = pa.array(sorted(SOURCES))
_SIDES = pa.array(sorted(SIDES))


@dataclass(frozen=True)
class Message:
    partition: int
    offset: int
    value: bytes | None


@dataclass
class Messages:
    """A batch of Kafka messages, column by column (a million small objects cost seconds)."""

    partitions: list[int] = field(default_factory=list)
    offsets: list[int] = field(default_factory=list)
    values: list[bytes | None] = field(default_factory=list)  # None: a tombstone

    def __len__(self) -> int:
        return len(self.values)

    def add(self, partition: int, offsets: list[int], values: list[bytes | None]) -> None:
        self.partitions += [partition] * len(values)
        self.offsets += offsets
        self.values += values

    def __iter__(self) -> Iterator[Message]:
        return map(Message, self.partitions, self.offsets, self.values)


@dataclass
class Rows:
    table: pa.Table  # RAW.TRADES_STAGE columns without LOAD_ID and STAGED_AT
    rejected: list[tuple[Message, str]]


def to_rows(messages: Messages, bound: LiveTimeBound) -> Rows:
    """The batch's valid trades as rows and every other message with its reason; never raises for
    what a message holds (null, empty, not UTF-8, not JSON, the wrong shape, values out of range,
    a trade time outside `bound`)."""
    if not messages:
        return Rows(_table(WIRE_SCHEMA.empty_table(), [], []), [])
    try:
        return Rows(_fast(messages, bound), [])
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return _slow(messages, bound)


def _fast(messages: Messages, bound: LiveTimeBound) -> pa.Table:
    """All messages at once, or ArrowInvalid if any of them is not a valid trade by the rules of
    the canonical `Trade` (which `_slow` applies message by message)."""
    values = messages.values
    if None in values or not all(value[:1] == b"{" for value in values):
        raise pa.ArrowInvalid("a message is null (a Kafka tombstone) or does not start a JSON object")
    block = b"\n".join(values)
    if not _one_line_each(block, len(values)):
        raise pa.ArrowInvalid("a message holds a line break")
    wire = pj.read_json(
        pa.py_buffer(block),
        read_options=pj.ReadOptions(block_size=JSON_BLOCK_BYTES),  # blocks parse on all cores
        parse_options=pj.ParseOptions(explicit_schema=WIRE_SCHEMA, unexpected_field_behavior="ignore"),
    )
    if wire.num_rows != len(messages):
        raise pa.ArrowInvalid("a message spans lines or is empty")
    wire = _with_numbers(wire)  # ArrowInvalid for more than 12 decimals or 10^26 and more
    valid = pc.fill_null(functools.reduce(pc.and_kleene, _valid(wire, bound)), False)  # missing: invalid
    if not pc.all(valid).as_py():
        raise pa.ArrowInvalid("a message is not a valid trade")
    return _table(wire, messages.partitions, messages.offsets)


def _one_line_each(block: bytes, count: int) -> bool:
    """Whether `block`, `count` messages joined by newlines, has exactly their `count` lines (counted
    with numpy: 0.1 us a message). pyarrow 26's JSON reader crashes the process (a segmentation
    fault, found by the loader's fuzz test) when a row that is a bare `null` starts one of the blocks
    it parses, and a block may start at any line break, CR or LF: so each line must be one message,
    and each message start with `{`."""
    breaks = np.count_nonzero(np.frombuffer(block, np.uint8) == ord("\n"))
    return breaks == count - 1 and b"\r" not in block


def _valid(wire: pa.Table, bound: LiveTimeBound) -> Iterator[pa.ChunkedArray]:
    """One boolean column per rule of `Trade.__post_init__` and of `bound` (null where a value is
    missing)."""
    for name in ("symbol", "feed_symbol", "trade_id"):
        length = pc.utf8_length(wire[name])
        yield pc.and_(pc.greater(length, 0), pc.less_equal(length, MAX_TEXT))
    yield pc.is_in(wire["source"], value_set=_SOURCES)
    yield pc.or_kleene(pc.is_null(wire["side"]), pc.is_in(wire["side"], value_set=_SIDES))
    for name in ("price", "size"):
        yield pc.greater(wire[name], 0)
    for name in ("trade_ts_ms", "received_ts_ms"):
        yield pc.and_(pc.greater(wire[name], 0), pc.less_equal(wire[name], MAX_TS_MS))
    early = pc.subtract(wire["received_ts_ms"], wire["trade_ts_ms"])
    live = pc.and_(pc.less_equal(early, bound.max_age_ms), pc.greater_equal(early, -bound.max_ahead_ms))
    yield pc.or_kleene(live, _flag(wire, "from_history"))


def _slow(messages: Messages, bound: LiveTimeBound) -> Rows:
    """Message by message through the canonical trade, which names each bad message's problem."""
    trades: list[tuple[Trade, Message]] = []
    rejected: list[tuple[Message, str]] = []
    for message in messages:
        try:
            trade = Trade.from_json(message.value)
            if reason := bound.refusal(trade):
                raise BadFrame(reason)
            trades.append((trade, message))
        except BadFrame as exc:
            rejected.append((message, exc.reason))
        except Exception as exc:  # what no rule foresaw is still one message, not the batch
            rejected.append((message, f"unreadable: {type(exc).__name__}: {exc}"))
    columns = {name: [getattr(t, name) for t, _ in trades] for name in WIRE_SCHEMA.names}
    columns["price"] = [decimal_text(t.price) for t, _ in trades]
    columns["size"] = [decimal_text(t.size) for t, _ in trades]
    wire = _with_numbers(pa.table(columns, schema=WIRE_SCHEMA))
    return Rows(_table(wire, [m.partition for _, m in trades], [m.offset for _, m in trades]), rejected)


def _flag(wire: pa.Table, name: str) -> pa.ChunkedArray:
    """A true/false field that older messages do not have: absent is false."""
    return pc.fill_null(wire[name], False)


def _with_numbers(wire: pa.Table) -> pa.Table:
    for name in ("price", "size"):
        wire = wire.set_column(wire.schema.get_field_index(name), name, pc.cast(wire[name], NUMBER))
    return wire


def _table(wire: pa.Table, partitions: list[int], offsets: list[int]) -> pa.Table:
    def ts(name: str) -> pa.Array:
        return pc.cast(wire[name], pa.timestamp("ms"))

    return pa.table(
        {
            "SOURCE": wire["source"], "SYMBOL": wire["symbol"], "FEED_SYMBOL": wire["feed_symbol"],
            "PRICE": wire["price"], "SIZE": wire["size"], "TRADE_TS": ts("trade_ts_ms"),
            "RECEIVED_TS": ts("received_ts_ms"), "TRADE_ID": wire["trade_id"], "SIDE": wire["side"],
            "SIMULATED": _flag(wire, "simulated"), "FROM_HISTORY": _flag(wire, "from_history"),
            "KAFKA_PARTITION": pa.array(partitions, pa.int32()),
            "KAFKA_OFFSET": pa.array(offsets, pa.int64()),
        }
    )  # fmt: skip


def raw_text(message: Message) -> str | None:
    """The message as text for RAW.TRADES_REJECTED (bytes that are not UTF-8 replaced); None for a
    tombstone."""
    return None if message.value is None else message.value.decode("utf-8", errors="replace")
