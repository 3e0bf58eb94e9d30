"""Kafka messages to rows: whatever a message holds, it is a row or a rejection with a reason."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from crypto_platform.prices.loader.arrow_rows import Messages, to_rows
from crypto_platform_tests.prices.helpers import T0, trade

GOOD = trade("BTC-USD", "95000.1", "0.1", T0, "good").to_json()


@pytest.mark.parametrize(
    "bad",
    [b"null", b" null", GOOD + b"\nnull", GOOD + b"\rnull", b"{" * 100_000, b"\xff\xfe", b"", None],
    ids=["null", "spaced null", "LF null", "CR null", "deep", "not UTF-8", "empty", "tombstone"],
)
def test_a_bad_message_between_good_ones_is_rejected_alone(bad: bytes | None) -> None:
    # In a process of its own: pyarrow 26's JSON reader crashed the process on a bare `null` row.
    code = f"""
from crypto_platform.prices.loader.arrow_rows import Messages, to_rows
messages = Messages()
messages.add(0, [0, 1, 2], [{GOOD!r}, {bad!r}, {GOOD.replace(b"good", b"last")!r}])
result = to_rows(messages)
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
    table = to_rows(messages).table
    assert [str(s.normalize()) for s in table["SIZE"].to_pylist()] == ["0.1", "0.3"]
