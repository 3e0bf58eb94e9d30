"""Kafka messages to rows: whatever a message holds, it is a row or a rejection with a reason."""

from __future__ import annotations

import json
import subprocess
import sys

import msgspec
import pytest

from crypto_platform.prices.loader.arrow_rows import Messages, to_rows
from crypto_platform.prices.trade import LiveTimeBound
from crypto_platform_tests.prices.helpers import T0, trade

GOOD = trade("BTC-USD", "95000.1", "0.1", T0, "good").to_json()
BOUND = LiveTimeBound(max_age_ms=86_400_000, max_ahead_ms=60_000)


@pytest.mark.parametrize(
    "bad",
    [b"null", b" null", GOOD + b"\nnull", GOOD + b"\rnull", b"{" * 100_000, b"\xff\xfe", b"", None],
    ids=["null", "spaced null", "LF null", "CR null", "deep", "not UTF-8", "empty", "tombstone"],
)
def test_a_bad_message_between_good_ones_is_rejected_alone(bad: bytes | None) -> None:
    # In a process of its own: pyarrow 26's JSON reader crashed the process on a bare `null` row.
    code = f"""
from crypto_platform.prices.loader.arrow_rows import Messages, to_rows
from crypto_platform.prices.trade import LiveTimeBound
messages = Messages()
messages.add(0, [0, 1, 2], [{GOOD!r}, {bad!r}, {GOOD.replace(b"good", b"last")!r}])
result = to_rows(messages, LiveTimeBound(86_400_000, 60_000))
assert result.table["TRADE_ID"].to_pylist() == ["good", "last"], result.table
assert [(m.offset, bool(reason)) for m, reason in result.rejected] == [(1, True)], result.rejected
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-2000:]


def test_a_float_artefact_is_rounded_on_the_fast_path_and_the_slow_one_alike() -> None:
    artefact = json.loads(GOOD) | {"size": "0.30000000000000004", "trade_id": "artefact"}
    wire = json.dumps(artefact, separators=(",", ":")).encode()
    messages = Messages()
    messages.add(0, [0, 1], [GOOD, wire])
    table = to_rows(messages, BOUND).table
    assert [str(s.normalize()) for s in table["SIZE"].to_pylist()] == ["0.1", "0.3"]


@pytest.mark.parametrize(
    ("trade_ts_ms", "reason"),
    [
        (T0 // 1000, "s before its receive time"),  # seconds where milliseconds are due: 1970-01-21
        (T0 - 86_400_001, "s before its receive time"),
        (T0 + 5 + 60_001, "s after its receive time"),
    ],
    ids=["seconds", "a day and a millisecond old", "a minute and a millisecond ahead"],
)
def test_a_live_trade_time_far_from_its_receive_time_is_rejected_with_the_reason(
    trade_ts_ms: int, reason: str
) -> None:
    """A Finnhub `t` in seconds (1714651200) used to load as 1970 and become the 24-hour reference."""
    odd = trade("BTC-USD", "95000.1", "0.1", trade_ts_ms, "odd")
    odd = msgspec.structs.replace(odd, received_ts_ms=T0 + 5)
    messages = Messages()
    messages.add(0, [0, 1], [GOOD, odd.to_json()])
    rows = to_rows(messages, BOUND)
    assert rows.table["TRADE_ID"].to_pylist() == ["good"]
    [(message, why)] = rows.rejected
    assert message.offset == 1 and reason in why and "TRADE_MAX_A" in why


def test_trade_times_at_the_bounds_are_accepted() -> None:
    edges = [
        trade("BTC-USD", "1", "1", T0 + 5 - 86_400_000, "old"),
        trade("BTC-USD", "1", "1", T0 + 5 + 60_000, "new"),
    ]
    edges = [msgspec.structs.replace(t, received_ts_ms=T0 + 5) for t in edges]
    messages = Messages()
    messages.add(0, [0, 1], [t.to_json() for t in edges])
    assert to_rows(messages, BOUND).table["TRADE_ID"].to_pylist() == ["old", "new"]


@pytest.mark.parametrize("fast", [True, False], ids=["fast path", "slow path"])
def test_a_trade_from_the_venues_history_is_old_by_design_and_keeps_its_flags(fast: bool) -> None:
    """A gap repaired a week later: the same age refused for a live trade is taken from the history."""
    week_old = msgspec.structs.replace(
        trade("BTC-USD", "1", "1", T0 - 7 * 86_400_000, "repaired"), received_ts_ms=T0, from_history=True
    )
    old_messages = [json.loads(GOOD) | {"trade_id": "before flags"}]  # sent before the flags existed
    for message in old_messages:
        del message["simulated"], message["from_history"]
    values = [GOOD, week_old.to_json(), json.dumps(old_messages[0]).encode()]
    if not fast:
        values.append(b"not json")  # one bad message sends the batch down the slow path
    messages = Messages()
    messages.add(0, list(range(len(values))), values)
    rows = to_rows(messages, BOUND)
    assert rows.table["TRADE_ID"].to_pylist() == ["good", "repaired", "before flags"]
    assert rows.table["FROM_HISTORY"].to_pylist() == [False, True, False]
    assert rows.table["SIMULATED"].to_pylist() == [True, True, False]
    assert len(rows.rejected) == (0 if fast else 1)
