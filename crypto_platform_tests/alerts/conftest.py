from crypto_platform_tests.prices.conftest import fresh  # noqa: F401 - the fixture, shared
