"""Kafka messages (canonical trade JSON) to an Arrow table shaped like RAW.TRADES_STAGE.

The fast path parses a whole batch of messages in Arrow's C++ JSON reader and validates columns at
once. A batch it cannot read (a message that is not JSON, or not shaped like a trade) goes through
the canonical `Trade.from_json` message by message, which names each bad message's problem.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pj

from crypto_platform.prices.trade import BadFrame, Trade, decimal_text

NUMBER = pa.decimal128(38, 12)
JSON_BLOCK_BYTES = 4 << 20
WIRE_SCHEMA = pa.schema(
    [
        ("source", pa.string()), ("symbol", pa.string()), ("feed_symbol", pa.string()),
        ("price", pa.string()), ("size", pa.string()), ("trade_ts_ms", pa.int64()),
        ("received_ts_ms", pa.int64()), ("trade_id", pa.string()), ("side", pa.string()),
    ]
)  # fmt: skip
REQUIRED = ("source", "symbol", "feed_symbol", "price", "size", "trade_ts_ms", "received_ts_ms", "trade_id")


@dataclass(frozen=True)
class Message:
    partition: int
    offset: int
    value: bytes


@dataclass
class Messages:
    """A batch of Kafka messages, column by column (a million small objects cost seconds)."""

    partitions: list[int] = field(default_factory=list)
    offsets: list[int] = field(default_factory=list)
    values: list[bytes] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.values)

    def add(self, partition: int, offsets: list[int], values: list[bytes]) -> None:
        self.partitions += [partition] * len(values)
        self.offsets += offsets
        self.values += values

    def __iter__(self) -> Iterator[Message]:
        return map(Message, self.partitions, self.offsets, self.values)


@dataclass
class Rows:
    table: pa.Table  # RAW.TRADES_STAGE columns without LOAD_ID and STAGED_AT
    rejected: list[tuple[Message, str]]


def to_rows(messages: Messages) -> Rows:
    if not messages:
        return Rows(_table(WIRE_SCHEMA.empty_table(), [], []), [])
    try:
        return Rows(_fast(messages), [])
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return _slow(messages)


def _fast(messages: Messages) -> pa.Table:
    """All messages at once, or ArrowInvalid if any of them is not a valid trade."""
    block = b"\n".join(messages.values)
    wire = pj.read_json(
        pa.py_buffer(block),
        read_options=pj.ReadOptions(block_size=JSON_BLOCK_BYTES),  # blocks parse on all cores
        parse_options=pj.ParseOptions(explicit_schema=WIRE_SCHEMA, unexpected_field_behavior="ignore"),
    )
    if wire.num_rows != len(messages):
        raise pa.ArrowInvalid("a message spans lines or is empty")
    if not pc.all(functools.reduce(pc.and_, (pc.is_valid(wire[n]) for n in REQUIRED))).as_py():
        raise pa.ArrowInvalid("a message lacks a required field")
    wire = _with_numbers(wire)
    if not pc.all(pc.and_(pc.greater(wire["price"], 0), pc.greater(wire["size"], 0))).as_py():
        raise pa.ArrowInvalid("a message has a non-positive price or size")
    return _table(wire, messages.partitions, messages.offsets)


def _slow(messages: Messages) -> Rows:
    """Message by message through the canonical trade, which names each bad message's problem."""
    trades: list[tuple[Trade, Message]] = []
    rejected: list[tuple[Message, str]] = []
    for message in messages:
        try:
            trades.append((Trade.from_json(message.value), message))
        except BadFrame as exc:
            rejected.append((message, exc.reason))
    columns = {name: [getattr(t, name) for t, _ in trades] for name in WIRE_SCHEMA.names}
    columns["price"] = [decimal_text(t.price) for t, _ in trades]
    columns["size"] = [decimal_text(t.size) for t, _ in trades]
    wire = _with_numbers(pa.table(columns, schema=WIRE_SCHEMA))
    return Rows(_table(wire, [m.partition for _, m in trades], [m.offset for _, m in trades]), rejected)


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
            "KAFKA_PARTITION": pa.array(partitions, pa.int32()),
            "KAFKA_OFFSET": pa.array(offsets, pa.int64()),
        }
    )  # fmt: skip


def raw_text(message: Message) -> str:
    return message.value.decode("utf-8", errors="replace")
