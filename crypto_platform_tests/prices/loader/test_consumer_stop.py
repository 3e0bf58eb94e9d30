"""Stopping the loader's Kafka consumer while Kafka is away."""

from __future__ import annotations

import asyncio

import pytest

from crypto_platform.prices.loader.trades_loader import _stop


class ConsumerWhoseStopIsCancelled:
    """What aiokafka's consumer did after a 40 s offsets timeout with the broker down: its stop()
    raised the cancellation of its own fetch task."""

    async def stop(self) -> None:
        raise asyncio.CancelledError


class ConsumerThatStopsSlowly:
    async def stop(self) -> None:
        await asyncio.sleep(60)


def test_a_cancellation_from_inside_the_consumer_does_not_end_the_loader() -> None:
    asyncio.run(_stop(ConsumerWhoseStopIsCancelled()))  # type: ignore[arg-type]


def test_cancelling_the_loader_while_it_stops_the_consumer_still_cancels_it() -> None:
    async def main() -> None:
        task = asyncio.create_task(_stop(ConsumerThatStopsSlowly()))  # type: ignore[arg-type]
        await asyncio.sleep(0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(main())
