"""No message content can stop the loader: generated batches of valid trades and mutated messages on
the real broker and warehouse. Every message ends in RAW.TRADES (exactly when the canonical trade
accepts it, with its values) or in RAW.TRADES_REJECTED with a reason, exactly once; offsets reach the
end; the loader never raises."""

from __future__ import annotations

import asyncio
import json
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crypto_platform.defs.prices.resources import loader_resource
from crypto_platform.prices.loader.trades_loader import TradesLoader
from crypto_platform.prices.trade import MAX_TEXT, MAX_TS_MS, BadFrame, LiveTimeBound, Trade
from crypto_platform.settings import Settings
from crypto_platform.warehouse import connect, run_query
from crypto_platform.warehouse.price_tables import stored_offsets
from crypto_platform_tests.prices.helpers import T0, produce_raw

pytestmark = [pytest.mark.stack, pytest.mark.slow]

BASE: dict[str, Any] = {
    "source": "finnhub", "symbol": "BTC-USD", "feed_symbol": "BINANCE:BTCUSDT", "price": "95000.5",
    "size": "0.25", "trade_ts_ms": T0, "received_ts_ms": T0 + 5, "trade_id": "t", "side": "buy",
}  # fmt: skip
FIELDS = sorted(BASE)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)
decimal_texts = st.one_of(
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.from_regex(r"\A-?[0-9]{1,30}(\.[0-9]{1,20})?([eE][-+]?[0-9]{1,3})?\Z"),
    st.sampled_from(["0.30000000000000004", "1e-13", "99999999999999999999999999.999999999999", "1e26"]),
)
edge_values: dict[str, st.SearchStrategy[Any]] = {
    "price": decimal_texts,
    "size": decimal_texts,
    "trade_ts_ms": st.sampled_from([0, 1, MAX_TS_MS, MAX_TS_MS + 1, -5, 2**63 - 1]) | st.integers(),
    "received_ts_ms": st.integers(min_value=-(2**70), max_value=2**70),
    "symbol": st.text(max_size=MAX_TEXT + 2) | st.just("S" * MAX_TEXT),
    "trade_id": st.text(max_size=MAX_TEXT + 2),
    "side": st.sampled_from([None, "buy", "sell", "BUY", ""]),
    "source": st.sampled_from(["finnhub", "coinbase", "kraken", "simulator", "binance", ""]),
}


def _with(field: str, value: Any) -> bytes:
    return json.dumps({**BASE, field: value}).encode()


def _without(field: str) -> bytes:
    return json.dumps({k: v for k, v in BASE.items() if k != field}).encode()


valid = st.builds(lambda i: _with("trade_id", f"ok-{i}"), st.integers(0, 10**9))
mutated = st.one_of(
    st.binary(max_size=300),
    st.sampled_from([None, b"", b"null", b"[]", b"{}", b'"text"', b"{" * 5000, b"\x00\xff\xfe"]),
    st.sampled_from(FIELDS).flatmap(lambda f: json_values.map(lambda v: _with(f, v))),
    st.sampled_from(FIELDS).map(_without),
    st.sampled_from(sorted(edge_values)).flatmap(lambda f: edge_values[f].map(lambda v: _with(f, v))),
    st.integers(1, 150).map(lambda n: json.dumps(BASE).encode()[:n]),
    st.binary(min_size=1, max_size=4).map(lambda b: json.dumps(BASE).encode().replace(b"95000", b"95" + b)),
)
batches = st.lists(st.one_of(valid, valid, mutated), min_size=1, max_size=40)


def _expected(value: bytes | None, bound: LiveTimeBound) -> tuple[Decimal, Decimal] | None:
    """The (price, size) the canonical trade stores for the message, or None when it or the live
    time bound refuses it."""
    try:
        trade = Trade.from_json(value)
    except BadFrame:
        return None
    return None if bound.refusal(trade) else (trade.price, trade.size)


@settings(max_examples=25, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(batch=batches)
def test_no_message_stops_the_loader(fresh: Settings, batch: list[bytes | None]) -> None:
    with connect(fresh) as conn:
        start = sum(stored_offsets(conn, fresh.kafka_topic_trades).values())
    produce_raw(fresh, batch, key=b"BTC-USD")  # one key: one partition, offsets start..start+len
    bound = loader_resource(fresh).time_bound
    loader = TradesLoader(fresh.kafka, fresh.kafka_topic_trades, lambda: connect(fresh), 16, bound)
    report = asyncio.run(loader.load_until_caught_up())  # never raises: that is the property

    with connect(fresh) as conn:
        assert sum(stored_offsets(conn, fresh.kafka_topic_trades).values()) == start + len(batch)
        params = {"start": start}
        loaded = run_query(
            conn, "select KAFKA_OFFSET, PRICE, SIZE from RAW.TRADES where KAFKA_OFFSET >= %(start)s", params
        ).rows
        rejected = run_query(
            conn,
            "select KAFKA_OFFSET, REASON from RAW.TRADES_REJECTED where KAFKA_OFFSET >= %(start)s",
            params,
        ).rows
    expected = {start + i: _expected(v, bound) for i, v in enumerate(batch)}
    assert {o: (p, s) for o, p, s in loaded} == {o: e for o, e in expected.items() if e is not None}
    assert sorted(o for o, _ in rejected) == sorted(o for o, e in expected.items() if e is None)
    assert all(reason for _, reason in rejected)
    assert report.rows == len(loaded) and report.rejected == len(rejected)
