"""Coinbase, Kraken and Binance over real connections: frames, REST paging, and the REST history
holding exactly what the websocket streamed, also across the control hooks (drop, silence, omit,
rate limit)."""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Iterator
from decimal import Decimal

import httpx
import pytest
import websocket

from crypto_platform.simulator import MarketSimulator, SimulatorConfig, market, run_in_thread
from crypto_platform_tests.simulator.wsclient import (
    connect,
    connect_venue,
    iso_ms,
    receive_until,
    receive_until_closed,
    trade_items,
)

CONFIG = SimulatorConfig(rate=1_000, tick=0.02, ping_interval=0.5)
BTC = {"coinbase": "BTC-USD", "kraken": "BTC/USD", "binance": "BTCUSDT"}
Row = tuple[int, Decimal, Decimal, int, str]  # trade_id, price, size, ts_ms, taker side


@pytest.fixture(scope="module")
def simulator() -> Iterator[MarketSimulator]:
    with run_in_thread(CONFIG) as running:
        yield running


def get(simulator: MarketSimulator, path: str, **params: object) -> httpx.Response:
    return httpx.get(f"http://{simulator.config.host}:{simulator.port}{path}", params=params, timeout=5)


def rows(venue: str, frames: list[str]) -> list[Row]:
    return [
        (i, Decimal(p), Decimal(q), ts, side)
        for frame in frames
        for i, p, q, ts, side in trade_items(venue, frame)
    ]


def stream(simulator: MarketSimulator, venue: str, count: int) -> list[Row]:
    ws = connect_venue(simulator, venue, BTC[venue])
    frames = receive_until(ws, lambda got: len(rows(venue, got)) >= count, limit=20_000)
    ws.close()
    return rows(venue, frames)


def history(simulator: MarketSimulator, venue: str, first: int, last: int) -> list[Row]:
    """The REST history of ids first..last (at most 1000), ascending, through the venue's own paging."""
    if venue == "coinbase":
        items = get(
            simulator, "/coinbase/products/BTC-USD/trades", after=last + 1, limit=last - first + 1
        ).json()
        side = {"buy": "sell", "sell": "buy"}
        found = [
            (t["trade_id"], Decimal(t["price"]), Decimal(t["size"]), iso_ms(t["time"]), side[t["side"]])
            for t in reversed(items)
        ]
    elif venue == "kraken":
        start = _kraken_time_of(simulator, first)
        body = get(simulator, "/kraken/0/public/Trades", pair="XBTUSD", since=(start - 1) * 1_000_000).json()
        found = [
            (t[6], Decimal(t[0]), Decimal(t[1]), round(t[2] * 1000), {"b": "buy", "s": "sell"}[t[3]])
            for t in body["result"]["XXBTZUSD"]
        ]
    else:
        items = get(
            simulator,
            "/binance/api/v3/historicalTrades",
            symbol="BTCUSDT",
            fromId=first,
            limit=last - first + 1,
        ).json()
        found = [
            (
                t["id"],
                Decimal(t["price"]),
                Decimal(t["qty"]),
                t["time"],
                "sell" if t["isBuyerMaker"] else "buy",
            )
            for t in items
        ]
    return [row for row in found if first <= row[0] <= last]


def _kraken_time_of(simulator: MarketSimulator, trade_id: int) -> int:
    config = simulator.config
    return market.trades_by_id(config.seed, "kraken", "BTC/USD", trade_id, trade_id, config.rate)[0].ts_ms


@pytest.mark.parametrize("venue", sorted(BTC))
def test_the_websocket_streams_what_the_history_holds(simulator: MarketSimulator, venue: str) -> None:
    streamed = stream(simulator, venue, 150)
    ids = [row[0] for row in streamed]
    assert ids == list(range(ids[0], ids[0] + len(ids)))  # consecutive
    assert history(simulator, venue, ids[0], ids[-1]) == streamed


@pytest.mark.parametrize(("venue", "control"), [("binance", "omit"), ("coinbase", "silence")])
def test_a_gap_in_the_stream_stays_in_the_history(
    simulator: MarketSimulator, venue: str, control: str
) -> None:
    ws = connect_venue(simulator, venue, BTC[venue])
    before = receive_until(ws, lambda got: len(rows(venue, got)) >= 20)
    window = get(simulator, f"/control/{control}", venue=venue, seconds=1).json()[
        "omissions" if control == "omit" else "silences"
    ]
    after = receive_until(
        ws, lambda got: any(r[3] > window["end_ms"] + 200 for r in rows(venue, got)), limit=20_000
    )
    ws.close()
    streamed = rows(venue, before + after)
    ids = [row[0] for row in streamed]
    assert max(b - a for a, b in itertools.pairwise(ids)) > 10  # a jump inside one connection
    delay = {"binance": 20, "coinbase": 50}[venue]
    kept = [
        row
        for row in history(simulator, venue, ids[0], ids[-1])
        if not window["start_ms"] <= row[3] + delay < window["end_ms"]
    ]
    assert kept == streamed


def test_a_silence_sends_nothing(simulator: MarketSimulator) -> None:
    ws = connect_venue(simulator, "kraken", "BTC/USD")
    receive_until(ws, lambda got: len(rows("kraken", got)) >= 5)
    window = get(simulator, "/control/silence", venue="kraken", seconds=1).json()["silences"]
    stamped: list[tuple[float, str]] = []
    while not stamped or stamped[-1][0] < window["end_ms"] + 300:
        frame = ws.recv()
        stamped.append((time.time() * 1000, frame))
    ws.close()
    inside = [f for at, f in stamped if window["start_ms"] + 200 < at < window["end_ms"] - 50]
    assert inside == []  # neither trades nor heartbeats
    assert any(at > window["end_ms"] for at, _ in stamped)


def test_drop_ends_only_that_venues_connections(simulator: MarketSimulator) -> None:
    binance = connect_venue(simulator, "binance", "BTCUSDT")
    finnhub = connect(simulator, "BINANCE:BTCUSDT")
    receive_until(binance, lambda got: len(rows("binance", got)) >= 5)
    drops = simulator.counters.snapshot()["drops"]
    assert simulator.drop("binance") == {"venue": "binance", "dropped": 1}
    receive_until_closed(binance)  # ends without a close frame, as a network drop does
    assert simulator.counters.snapshot()["drops"] == drops + 1
    assert receive_until(finnhub, lambda got: len(got) >= 10)
    finnhub.close()
    assert get(simulator, "/control/drop", venue="binance").json() == {"venue": "binance", "dropped": 0}


@pytest.mark.parametrize(
    ("venue", "path", "params", "body"),
    [
        ("binance", "/binance/api/v3/historicalTrades", {"symbol": "BTCUSDT"}, {"code": -1003}),
        ("coinbase", "/coinbase/products/BTC-USD/trades", {}, {"message": "Too Many Requests"}),
        ("kraken", "/kraken/0/public/Trades", {"pair": "XBTUSD"}, {"error": ["EGeneral:Too many requests"]}),
    ],
)
def test_rate_limit_control(
    simulator: MarketSimulator, venue: str, path: str, params: dict[str, str], body: dict[str, object]
) -> None:
    assert get(simulator, "/control/rate_limit", venue=venue, requests=3).json()["rate_limited_requests"] == 3
    for _ in range(3):
        refused = get(simulator, path, **params)
        assert (refused.status_code, refused.headers["retry-after"]) == (429, "1")
        assert body.items() <= refused.json().items()
    assert get(simulator, path, **params).status_code == 200


def test_coinbase_paging(simulator: MarketSimulator) -> None:
    page = get(simulator, "/coinbase/products/BTC-USD/trades")
    items = page.json()
    ids = [t["trade_id"] for t in items]
    assert len(ids) == 100 and ids == sorted(ids, reverse=True) == list(range(ids[0], ids[0] - 100, -1))
    assert (page.headers["cb-before"], page.headers["cb-after"]) == (str(ids[0]), str(ids[-1]))
    assert set(items[0]) == {"time", "trade_id", "price", "size", "side"}
    assert all(isinstance(items[0][k], str) for k in ("time", "price", "size", "side"))
    older = get(
        simulator, "/coinbase/products/BTC-USD/trades", after=page.headers["cb-after"], limit=5
    ).json()
    assert [t["trade_id"] for t in older] == list(range(ids[-1] - 1, ids[-1] - 6, -1))
    newer = get(simulator, "/coinbase/products/BTC-USD/trades", before=ids[50], limit=3).json()
    assert [t["trade_id"] for t in newer] == [ids[50] + 3, ids[50] + 2, ids[50] + 1]
    assert iso_ms(items[0]["time"]) <= simulator.now_ms() - 50  # the future does not exist yet
    assert len(get(simulator, "/coinbase/products/BTC-USD/trades", limit=5000).json()) == 1000
    missing = get(simulator, "/coinbase/products/NOPE/trades")
    assert (missing.status_code, missing.json()) == (404, {"message": "NotFound"})


def test_kraken_paging(simulator: MarketSimulator) -> None:
    latest = get(simulator, "/kraken/0/public/Trades", pair="XBTUSD", count=10).json()
    assert latest["error"] == [] and set(latest["result"]) == {"XXBTZUSD", "last"}
    trades = latest["result"]["XXBTZUSD"]
    assert len(trades) == 10 and [t[6] for t in trades] == list(range(trades[0][6], trades[0][6] + 10))
    assert all(len(t) == 7 and t[3] in "bs" and t[4] in "ml" and t[5] == "" for t in trades)
    assert int(latest["result"]["last"]) // 1_000_000 == round(trades[-1][2] * 1000)
    since_s = int(trades[0][2]) - 2
    by_seconds = get(simulator, "/kraken/0/public/Trades", pair="XBTUSD", since=since_s, count=50).json()
    by_ns = get(simulator, "/kraken/0/public/Trades", pair="XXBTZUSD", since=since_s * 10**9, count=50).json()
    assert by_seconds == by_ns and len(by_seconds["result"]["XXBTZUSD"]) == 50
    first_page = by_seconds["result"]["XXBTZUSD"]
    assert all(t[2] >= since_s for t in first_page)
    nxt = get(
        simulator, "/kraken/0/public/Trades", pair="XBTUSD", since=by_seconds["result"]["last"], count=5
    )
    next_page = nxt.json()["result"]["XXBTZUSD"]
    assert next_page[0][6] == first_page[-1][6] + 1  # `last` pages on exactly after the page
    assert set(get(simulator, "/kraken/0/public/Trades", pair="SOLUSD", count=1).json()["result"]) == {
        "SOLUSD",
        "last",
    }
    assert get(simulator, "/kraken/0/public/Trades", pair="NOPE").json() == {
        "error": ["EQuery:Unknown asset pair"]
    }


def test_binance_paging(simulator: MarketSimulator) -> None:
    recent = get(simulator, "/binance/api/v3/historicalTrades", symbol="BTCUSDT").json()
    ids = [t["id"] for t in recent]
    assert len(ids) == 500 and ids == list(range(ids[0], ids[0] + 500))
    assert set(recent[0]) == {"id", "price", "qty", "quoteQty", "time", "isBuyerMaker", "isBestMatch"}
    assert recent[-1]["time"] <= simulator.now_ms() - 20
    page = get(
        simulator, "/binance/api/v3/historicalTrades", symbol="BTCUSDT", fromId=ids[10], limit=7
    ).json()
    assert page == recent[10:17]
    agg = get(
        simulator, "/binance/api/v3/aggTrades", symbol="BTCUSDT", startTime=recent[0]["time"], limit=3
    ).json()
    assert set(agg[0]) == {"a", "p", "q", "f", "l", "T", "m", "M"}
    assert agg[0]["T"] >= recent[0]["time"] and agg[0]["a"] <= ids[0] + 3
    bad = get(simulator, "/binance/api/v3/historicalTrades", symbol="NOPE")
    assert (bad.status_code, bad.json()) == (400, {"code": -1121, "msg": "Invalid symbol."})
    assert get(simulator, "/binance/api/v3/historicalTrades", symbol="BTCUSDT", limit=1001).status_code == 400


def test_frames_are_the_venues_documented_shapes(simulator: MarketSimulator) -> None:
    ws = connect_venue(simulator, "coinbase", "BTC-USD")
    frames = [json.loads(ws.recv()) for _ in range(3)]
    ws.close()
    assert frames[0] == {
        "type": "subscriptions",
        "channels": [{"name": "matches", "product_ids": ["BTC-USD"]}],
    }
    assert frames[1]["type"] == "last_match" and frames[2]["type"] == "match"
    assert set(frames[2]) == {
        "type", "trade_id", "maker_order_id", "taker_order_id", "side", "size", "price", "product_id",
        "sequence", "time",
    }  # fmt: skip
    assert frames[2]["time"].endswith("Z") and len(frames[2]["time"]) == len("2025-01-01T00:00:00.000000Z")

    ws = connect_venue(simulator, "kraken", "BTC/USD")
    ack, snapshot, update = (json.loads(ws.recv()) for _ in range(3))
    ws.close()
    assert ack["method"] == "subscribe" and ack["success"] is True and ack["result"]["symbol"] == "BTC/USD"
    assert (snapshot["type"], len(snapshot["data"])) == ("snapshot", 50) and update["type"] == "update"
    item = update["data"][0]
    assert set(item) == {"symbol", "side", "price", "qty", "ord_type", "trade_id", "timestamp"}
    assert isinstance(item["price"], float) and isinstance(item["qty"], float)

    binance = websocket.create_connection(
        simulator.venue_ws_url("binance") + "?streams=btcusdt@trade/ethusdt@trade"
    )
    streams = {json.loads(binance.recv())["stream"] for _ in range(60)}
    binance.send(json.dumps({"method": "SUBSCRIBE", "params": ["solusdt@trade"], "id": 7}))
    replies = receive_until(binance, lambda got: '{"result":null,"id":7}' in got)
    binance.close()
    assert streams == {"btcusdt@trade", "ethusdt@trade"} and replies
    data = json.loads(replies[0])["data"] if "stream" in replies[0] else None
    assert data is None or set(data) == {"e", "E", "s", "t", "p", "q", "T", "m", "M"}


def test_one_price_path_through_four_venues(simulator: MarketSimulator) -> None:
    now = simulator.now_ms() - 1_000
    prices = [
        float(
            get(simulator, "/binance/api/v3/aggTrades", symbol="BTCUSDT", startTime=now, limit=1).json()[0][
                "p"
            ]
        ),
        float(get(simulator, "/coinbase/products/BTC-USD/trades", limit=1).json()[0]["price"]),
        float(
            get(simulator, "/kraken/0/public/Trades", pair="XBTUSD", count=1).json()["result"]["XXBTZUSD"][0][
                0
            ]
        ),
    ]
    assert (max(prices) - min(prices)) / min(prices) < 0.002  # within a second of each other: a few bps
    health = get(simulator, "/health").json()
    assert health["status"] == "ok" and set(health["venue_trades"]) <= {
        "finnhub",
        "coinbase",
        "kraken",
        "binance",
    }
