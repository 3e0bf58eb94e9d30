"""What the benchmarks share: local services in a temporary home, and a table of figures."""

from __future__ import annotations

import argparse
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

from crypto_platform.local import stack
from crypto_platform.settings import Settings


@contextmanager
def services(names: list[str], **env: str) -> Iterator[Settings]:
    """The named services of the local stack with fresh data (a temporary home), stopped afterwards.
    `env` sets settings for this process and the services it starts, as a user would.
    Like `make up` it refuses ports that are taken: stop your own stack (`make down`) first."""
    saved = dict(os.environ)
    with tempfile.TemporaryDirectory(prefix="bench-") as home:
        os.environ.update({"CRYPTO_PLATFORM_HOME": home, **env})
        settings = Settings()
        try:
            stack.up(settings, report=lambda _line: None, only=names)
            yield settings
        finally:
            stack.down(settings)
            os.environ.clear()
            os.environ.update(saved)


def simulator_rate(total: float) -> str:
    """SIMULATOR_RATE (trades/s per venue) for `total` trades/s over every feed the stack reads."""
    return f"{total / len(Settings().producer_feeds):g}"


def arguments(doc: str, **options: tuple[float, str]) -> argparse.Namespace:
    """The command line of a benchmark whose module docstring is `doc`: each option `--name` a
    number, given as (default, help)."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    for name, (default, help_text) in options.items():
        parser.add_argument(f"--{name}", type=float, default=default, help=help_text)
    return parser.parse_args()


def print_table(title: str, rows: list[tuple[str, str]]) -> None:
    width = max(len(name) for name, _ in rows)
    print(f"\n{title}")
    for name, value in rows:
        print(f"  {name.ljust(width)}  {value}")
