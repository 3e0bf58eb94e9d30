"""Garbage-collector tuning for the processes that move millions of small objects.

The producer makes several objects per trade and the loader's Kafka client one record per message;
they die young, but the collections they trigger also rescan, every so often, everything the process
imported and built at start-up (aiokafka, the Snowflake connector, Dagster). Freezing what is alive
once the process is set up takes that out of every later collection: +13% producer and +20% loader
throughput measured on the benchmarks.
"""

from __future__ import annotations

import functools
import gc


@functools.cache
def freeze_startup_objects() -> None:
    """Once per process: collect what is already garbage, then freeze the rest (never freed again,
    so call it when what is alive is meant to live as long as the process)."""
    gc.collect()
    gc.freeze()
