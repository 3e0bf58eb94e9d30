"""`python -m crypto_platform_tests.prices.dying_loader`: `crypto-platform load` that dies (`os._exit`,
as a `kill -9` would leave it) right after its first batch is staged (PUT and COPY INTO
RAW.TRADES_STAGE), before the transaction that would commit it."""

from __future__ import annotations

import os
from collections.abc import Callable

from crypto_platform.cli import app
from crypto_platform.warehouse import price_tables

DIES_WITH = 70
"""The exit status it dies with."""


def _die_after(stage: Callable[..., None]) -> Callable[..., None]:
    def staged(*args: object) -> None:
        stage(*args)
        os._exit(DIES_WITH)

    return staged


if __name__ == "__main__":
    price_tables._stage = _die_after(price_tables._stage)
    app(["load"])
