"""Snowflake sign-in: key pair (file or PEM text, with or without a passphrase), programmatic access
token and password, through the real connector, for the platform's own connections and for the
Dagster resource, against a stand-in that checks credentials as Snowflake does (see
`snowflake_sign_in`). Secrets stay out of the Dagster UI and out of error messages."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from dagster_snowflake import SnowflakeResource
from snowflake.connector.errors import DatabaseError

from crypto_platform.defs.resources import WarehouseResource, snowflake_resource
from crypto_platform.settings import Settings
from crypto_platform.warehouse.connection import SnowflakeSignInError, connect, private_key_der
from crypto_platform_tests.warehouse.snowflake_sign_in import SignInStandIn, SnowflakeUser, running

pytestmark = pytest.mark.filterwarnings(
    "ignore:Arrow output on a DB-API result:UserWarning"
)  # fakesnow, in process

ACCOUNT, USER = "xy12345.eu-west-1", "crypto_loader"
PASSPHRASE, TOKEN, PASSWORD = "key-passphrase", "pat-3f9a-secret", "password-secret"
FAST_LOGIN = {"login_timeout": 10, "platform_detection_timeout_seconds": 0.0}
SECRETS = (
    "SNOWFLAKE_PRIVATE_KEY",
    "SNOWFLAKE_PRIVATE_KEY_PASSPHRASE",
    "SNOWFLAKE_TOKEN",
    "SNOWFLAKE_PASSWORD",
)
SIGN_IN_VARS = ("SNOWFLAKE_PRIVATE_KEY_FILE", *SECRETS)

KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def pem(key: rsa.RSAPrivateKey, passphrase: str | None = None) -> str:
    encryption = (
        serialization.BestAvailableEncryption(passphrase.encode())
        if passphrase
        else serialization.NoEncryption()
    )
    text = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)
    return text.decode()


@pytest.fixture(scope="module")
def snowflake() -> Iterator[SignInStandIn]:
    user = SnowflakeUser(ACCOUNT, USER, public_key=KEY.public_key(), token=TOKEN, password=PASSWORD)
    with running(user) as stand_in:
        yield stand_in


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    path = tmp_path / "rsa_key.p8"
    path.write_text(pem(KEY, PASSPHRASE))
    return path


def settings_from_env(monkeypatch: pytest.MonkeyPatch, **env: str) -> Settings:
    """Settings as a deployment gets them: from the environment (so secrets become dg.EnvVar)."""
    for name in SIGN_IN_VARS:
        monkeypatch.delenv(name, raising=False)
    for name, value in {"SNOWFLAKE_ACCOUNT": ACCOUNT, "SNOWFLAKE_USER": USER, **env}.items():
        monkeypatch.setenv(name, value)
    return Settings(_env_file=None)


def signs_in(settings: Settings, stand_in: SignInStandIn) -> str:
    """Connect as the platform does (loader, dashboard, CLI) and return the stand-in's verdict."""
    before = len(stand_in.accepted)
    with connect(settings, **stand_in.endpoint, **FAST_LOGIN) as conn:
        assert conn.cursor().execute("select 1").fetchone() == (1,)
    assert len(stand_in.accepted) == before + 1
    return stand_in.accepted[-1]


SIGN_INS = {
    "key file with passphrase": lambda key_file: {
        "SNOWFLAKE_PRIVATE_KEY_FILE": str(key_file),
        "SNOWFLAKE_PRIVATE_KEY_PASSPHRASE": PASSPHRASE,
    },
    "PEM text": lambda _: {"SNOWFLAKE_PRIVATE_KEY": pem(KEY)},
    "encrypted PEM text": lambda _: {
        "SNOWFLAKE_PRIVATE_KEY": pem(KEY, PASSPHRASE),
        "SNOWFLAKE_PRIVATE_KEY_PASSPHRASE": PASSPHRASE,
    },
    "base64 of the PEM": lambda _: {"SNOWFLAKE_PRIVATE_KEY": base64.b64encode(pem(KEY).encode()).decode()},
    "programmatic access token": lambda _: {"SNOWFLAKE_TOKEN": TOKEN},
    "password": lambda _: {"SNOWFLAKE_PASSWORD": PASSWORD},
}
AUTHENTICATOR = {"programmatic access token": "PROGRAMMATIC_ACCESS_TOKEN", "password": "SNOWFLAKE"}


@pytest.mark.parametrize("way", list(SIGN_INS))
def test_the_platform_signs_in_each_way(
    way: str, snowflake: SignInStandIn, key_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = settings_from_env(monkeypatch, **SIGN_INS[way](key_file))
    assert signs_in(settings, snowflake) == AUTHENTICATOR.get(way, "SNOWFLAKE_JWT")


@pytest.mark.parametrize("way", list(SIGN_INS))
def test_the_dagster_resource_signs_in_each_way_and_shows_only_variable_names(
    way: str, snowflake: SignInStandIn, key_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = SIGN_INS[way](key_file)
    resource = snowflake_resource(settings_from_env(monkeypatch, **env))

    config = repr(resource)  # what Dagster records as the resource's config
    for name, value in env.items():
        if name in SECRETS:
            assert value not in config
            assert f"'{name}'" in config, f"{name} is not passed as dg.EnvVar"

    fields = {
        name: getattr(resource, name)
        for name in WarehouseResource.model_fields
        if name not in ("schema_", "additional_snowflake_connection_args")
    }
    endpoint = snowflake.endpoint | FAST_LOGIN
    pointed = WarehouseResource(
        **fields, schema=resource.schema_, additional_snowflake_connection_args=endpoint
    )

    @dg.asset
    def probe(snowflake: SnowflakeResource) -> None:
        with snowflake.get_connection() as conn:
            assert conn.cursor().execute("select 1").fetchone() == (1,)

    before = len(snowflake.accepted)
    assert dg.materialize([probe], resources={"snowflake": pointed}).success
    assert snowflake.accepted[before:] == [AUTHENTICATOR.get(way, "SNOWFLAKE_JWT")]


def test_a_key_snowflake_does_not_hold_is_refused(
    snowflake: SignInStandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = settings_from_env(monkeypatch, SNOWFLAKE_PRIVATE_KEY=pem(OTHER_KEY))
    with pytest.raises(DatabaseError, match="JWT token is invalid"):
        signs_in(settings, snowflake)


def test_a_wrong_token_is_refused(snowflake: SignInStandIn, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = settings_from_env(monkeypatch, SNOWFLAKE_TOKEN="not-the-token")
    with pytest.raises(DatabaseError, match="Incorrect username or password"):
        signs_in(settings, snowflake)


@pytest.mark.parametrize(
    ("env", "says"),
    [
        ({}, "exactly one sign-in is needed: none given"),
        (
            {"SNOWFLAKE_PASSWORD": PASSWORD, "SNOWFLAKE_TOKEN": TOKEN},
            "SNOWFLAKE_TOKEN and SNOWFLAKE_PASSWORD given",
        ),
        ({"SNOWFLAKE_PRIVATE_KEY": pem(KEY, PASSPHRASE)}, "encrypted: set SNOWFLAKE_PRIVATE_KEY_PASSPHRASE"),
        (
            {"SNOWFLAKE_PRIVATE_KEY": pem(KEY, PASSPHRASE), "SNOWFLAKE_PRIVATE_KEY_PASSPHRASE": "wrong"},
            "SNOWFLAKE_PRIVATE_KEY_PASSPHRASE is wrong",
        ),
        ({"SNOWFLAKE_PRIVATE_KEY": "not a key"}, "not a PEM private key"),
        ({"SNOWFLAKE_PRIVATE_KEY_FILE": "/nonexistent/rsa_key.p8"}, "cannot be read: No such file"),
    ],
)
def test_missing_or_unreadable_sign_in_is_one_line_naming_the_variables(
    env: dict[str, str], says: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = settings_from_env(monkeypatch, **env)
    for build in (lambda: connect(settings).__enter__(), lambda: snowflake_resource(settings)):
        with pytest.raises(SnowflakeSignInError) as raised:
            build()
        message = str(raised.value)
        assert says in message and "\n" not in message
        assert not any(secret in message for secret in (PASSWORD, TOKEN, PASSPHRASE, "BEGIN"))


def test_the_key_is_handed_over_decrypted_as_pkcs8_der(key_file: Path) -> None:
    settings = Settings(
        snowflake_account=ACCOUNT,
        snowflake_user=USER,
        snowflake_private_key_file=key_file,
        snowflake_private_key_passphrase=PASSPHRASE,
    )
    der = private_key_der(settings)
    assert serialization.load_der_private_key(der, password=None).private_numbers() == KEY.private_numbers()
