"""Connections to the warehouse: Snowflake itself, or the fakesnow emulator over HTTP.

Both go through the real `snowflake-connector-python`; only the connection arguments differ.
Snowflake is signed in to with a key pair (Snowflake's recommendation for service users), a
programmatic access token, or a password (Snowflake is phasing out single-factor passwords).
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import snowflake.connector
from cryptography.hazmat.primitives import serialization
from pydantic import SecretStr
from snowflake.connector import SnowflakeConnection
from snowflake.connector.cursor import SnowflakeCursor
from snowflake.connector.errors import ProgrammingError

from crypto_platform.settings import Settings

EMULATOR_ACCOUNT = "fakesnow"
EMULATOR_USER = "fake"
EMULATOR_PASSWORD = "snow"  # the emulator accepts any password; this is not a secret
PAT_AUTHENTICATOR = "PROGRAMMATIC_ACCESS_TOKEN"  # the connector's name for token sign-in
LOCK_ERRNO = 625
"""Snowflake's lock error 000625: another transaction holds the row (the emulator reports DuckDB's
write conflicts so too, see `local/emulator.py`)."""
MISSING_ERRNO = 2003
"""Snowflake's (and the emulator's) error for an object that does not exist."""


class WriteConflict(RuntimeError):
    """A transaction met another writer (Snowflake's lock error, the emulator's write conflict) and
    was rolled back: nothing of it was kept. The writer decides how to go on (the loader from the
    stored offsets, a news write by trying again)."""


class SnowflakeSignInError(ValueError):
    """The Snowflake sign-in settings are missing, contradictory or unreadable; one line naming
    the variables to fix (never their values)."""


def emulator_endpoint(settings: Settings) -> dict[str, Any]:
    """Host, port and protocol that route the connector to the local emulator."""
    return {"host": settings.snowflake_local_host, "port": settings.snowflake_local_port, "protocol": "http"}


PARAMSTYLE = {"paramstyle": "qmark"}
"""Values bound on the server (`?`), never formatted into the text: see `sql.bind`."""


def connection_args(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for `snowflake.connector.connect` (password included: never log them)."""
    if settings.warehouse_is_local:
        return PARAMSTYLE | {
            "account": EMULATOR_ACCOUNT,
            "user": EMULATOR_USER,
            "password": EMULATOR_PASSWORD,
            "database": settings.snowflake_database,
            "schema": settings.snowflake_schema,
            **emulator_endpoint(settings),
            "session_parameters": {"CLIENT_OUT_OF_BAND_TELEMETRY_ENABLED": False},
            "login_timeout": 10,
            # No probing for cloud metadata servers at login: on a machine without them the DNS
            # lookups now and then held a connect for 5 s (1 connect in 10 to 60 measured).
            "platform_detection_timeout_seconds": 0.0,
            "network_timeout": 60,
        }
    args = {
        "account": settings.snowflake_account,
        "user": settings.snowflake_user,
        "role": settings.snowflake_role,
        "warehouse": settings.snowflake_warehouse,
        "database": settings.snowflake_database,
        "schema": settings.snowflake_schema,
    }
    return PARAMSTYLE | {k: v for k, v in args.items() if v is not None} | sign_in_args(settings)


def sign_in_method(settings: Settings) -> str:
    """The one sign-in the settings give for Snowflake, by the variable that holds it:
    `SNOWFLAKE_PRIVATE_KEY_FILE`, `SNOWFLAKE_PRIVATE_KEY`, `SNOWFLAKE_TOKEN` or `SNOWFLAKE_PASSWORD`.

    Raises SnowflakeSignInError when none or more than one is set.
    """
    given = [
        name
        for name, value in (
            ("SNOWFLAKE_PRIVATE_KEY_FILE", settings.snowflake_private_key_file),
            ("SNOWFLAKE_PRIVATE_KEY", settings.snowflake_private_key),
            ("SNOWFLAKE_TOKEN", settings.snowflake_token),
            ("SNOWFLAKE_PASSWORD", settings.snowflake_password),
        )
        if value
    ]
    if len(given) != 1:
        raise SnowflakeSignInError(
            f"SNOWFLAKE_ACCOUNT is set, so exactly one sign-in is needed: "
            f"{'none' if not given else ' and '.join(given)} given; set SNOWFLAKE_PRIVATE_KEY_FILE or "
            "SNOWFLAKE_PRIVATE_KEY (key pair), SNOWFLAKE_TOKEN (programmatic access token) or "
            "SNOWFLAKE_PASSWORD"
        )
    return given[0]


def sign_in_args(settings: Settings) -> dict[str, Any]:
    """The connector's sign-in arguments (secrets: never log them). A key pair is passed as DER
    bytes (`private_key`), a programmatic access token with the connector's
    `PROGRAMMATIC_ACCESS_TOKEN` authenticator, a password as `password`."""
    method = sign_in_method(settings)
    if method == "SNOWFLAKE_TOKEN":
        return {"authenticator": PAT_AUTHENTICATOR, "token": _reveal(settings.snowflake_token)}
    if method == "SNOWFLAKE_PASSWORD":
        return {"password": _reveal(settings.snowflake_password)}
    return {"private_key": private_key_der(settings)}


def private_key_der(settings: Settings) -> bytes:
    """The Snowflake key-pair private key as unencrypted PKCS#8 DER, read from
    `SNOWFLAKE_PRIVATE_KEY_FILE` or `SNOWFLAKE_PRIVATE_KEY` (PEM text, or that text base64-encoded
    as dagster-snowflake also accepts) and decrypted with `SNOWFLAKE_PRIVATE_KEY_PASSPHRASE`.

    Raises SnowflakeSignInError naming the variable when the key cannot be read or decrypted.
    """
    if settings.snowflake_private_key_file:
        source = f"SNOWFLAKE_PRIVATE_KEY_FILE ({settings.snowflake_private_key_file})"
        try:
            pem = settings.snowflake_private_key_file.read_bytes()
        except OSError as exc:
            raise SnowflakeSignInError(f"{source} cannot be read: {exc.strerror}") from None
    else:
        source = "SNOWFLAKE_PRIVATE_KEY"
        pem = _reveal(settings.snowflake_private_key).strip().encode()
    passphrase = settings.snowflake_private_key_passphrase
    try:
        if not pem.startswith(b"-----BEGIN"):
            pem = base64.b64decode(pem)  # binascii.Error is a ValueError
        key = serialization.load_pem_private_key(
            pem, password=_reveal(passphrase).encode() if passphrase else None
        )
    except TypeError:  # encrypted without a passphrase, or a passphrase for a plain key
        hint = "is not encrypted: unset" if passphrase else "is encrypted: set"
        raise SnowflakeSignInError(
            f"the private key in {source} {hint} SNOWFLAKE_PRIVATE_KEY_PASSPHRASE"
        ) from None
    except ValueError:
        raise SnowflakeSignInError(
            f"the private key in {source} cannot be read: not a PEM private key, or "
            "SNOWFLAKE_PRIVATE_KEY_PASSPHRASE is wrong"
        ) from None
    return key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _reveal(value: SecretStr | None) -> str:
    return value.get_secret_value() if value else ""


Connect = Callable[[], AbstractContextManager[SnowflakeConnection]]
"""What opens a warehouse connection: `lambda: connect(settings)`, or a Dagster resource's
`get_connection`."""


@contextmanager
def connect(settings: Settings, **overrides: Any) -> Iterator[SnowflakeConnection]:
    conn = snowflake.connector.connect(**(connection_args(settings) | overrides))
    try:
        yield conn
    finally:
        conn.close()


@contextmanager
def transaction(conn: SnowflakeConnection) -> Iterator[SnowflakeCursor]:
    """A cursor inside BEGIN ... COMMIT; anything raised (even an interrupt) rolls back first. The
    one conflict rule of every writer: a lock error anywhere in the transaction, its COMMIT included,
    is raised as WriteConflict once rolled back."""
    with conn.cursor() as cur:
        cur.execute("BEGIN")
        try:
            yield cur
            cur.execute("COMMIT")
        except BaseException as exc:
            cur.execute("ROLLBACK")
            if isinstance(exc, ProgrammingError) and exc.errno == LOCK_ERRNO:
                raise WriteConflict(f"the warehouse refused the transaction: {exc.msg}") from exc
            raise
