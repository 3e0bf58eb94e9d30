"""A stand-in for Snowflake's sign-in, in front of the fakesnow emulator: what cannot exist here.

fakesnow accepts any login. This serves fakesnow's own routes (in this process, over its shared
in-memory instance) with a login that checks the credentials as Snowflake does and answers a
refusal in Snowflake's shape (`success: false`, `code`, `message`), so the real connector signs in
through it exactly as it would to an account:

- key pair: `AUTHENTICATOR=SNOWFLAKE_JWT`, `TOKEN` a JWT signed with the user's private key, whose
  `iss` is `<ACCOUNT>.<USER>.SHA256:<base64 SHA-256 of the public key's DER>` and `sub`
  `<ACCOUNT>.<USER>` (Snowflake, "Key-pair authentication and key-pair rotation": generating a JWT);
- programmatic access token: `AUTHENTICATOR=PROGRAMMATIC_ACCESS_TOKEN`, `TOKEN` the token;
- password: `PASSWORD`.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import fakesnow.server
import jwt
import uvicorn
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from crypto_platform.local.process import wait_until

WRONG_PASSWORD = ("390100", "Incorrect username or password was specified.")
INVALID_JWT = ("390144", "JWT token is invalid.")


@dataclass
class SnowflakeUser:
    """The account, user and the credentials Snowflake holds for them."""

    account: str
    name: str
    public_key: RSAPublicKey | None = None
    token: str | None = None
    password: str | None = None


@dataclass
class SignInStandIn:
    user: SnowflakeUser
    port: int = 0
    accepted: list[str] = field(default_factory=list)  # the AUTHENTICATOR of each accepted login

    @property
    def endpoint(self) -> dict[str, Any]:
        """Connector arguments that route a connection here instead of `<account>.snowflakecomputing.com`."""
        return {"host": "127.0.0.1", "port": self.port, "protocol": "http"}

    async def login(self, request: Request) -> Response:
        body = await request.body()  # cached by Starlette: fakesnow's handler reads it again
        if request.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        data = json.loads(body)["data"]
        authenticator = data.get("AUTHENTICATOR") or "SNOWFLAKE"
        refusal = self._refusal(authenticator, data)
        if refusal:
            code, message = refusal
            return JSONResponse({"data": None, "code": code, "message": message, "success": False})
        self.accepted.append(authenticator)
        return await fakesnow.server.login_request(request)

    def _refusal(self, authenticator: str, data: dict[str, Any]) -> tuple[str, str] | None:
        if data.get("LOGIN_NAME", "").upper() != self.user.name.upper():
            return WRONG_PASSWORD
        if authenticator == "SNOWFLAKE_JWT":
            return None if self._valid_jwt(data.get("TOKEN", "")) else INVALID_JWT
        expected, given = {
            "PROGRAMMATIC_ACCESS_TOKEN": (self.user.token, data.get("TOKEN")),
            "SNOWFLAKE": (self.user.password, data.get("PASSWORD")),
        }.get(authenticator, (None, None))
        return None if expected and given == expected else WRONG_PASSWORD

    def _valid_jwt(self, token: str) -> bool:
        if self.user.public_key is None:
            return False
        qualified = f"{self.user.account.split('.')[0]}.{self.user.name}".upper()
        try:
            claims = jwt.decode(token, self.user.public_key, ["RS256"], options={"require": ["exp"]})
        except jwt.InvalidTokenError:
            return False
        return claims.get("sub") == qualified and claims.get("iss") == f"{qualified}.{fingerprint(self.user)}"


def fingerprint(user: SnowflakeUser) -> str:
    """`SHA256:` and the base64 SHA-256 of the public key's DER: Snowflake's RSA_PUBLIC_KEY_FP."""
    assert user.public_key is not None
    der = user.public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return "SHA256:" + base64.b64encode(hashlib.sha256(der).digest()).decode()


@contextmanager
def running(user: SnowflakeUser) -> Iterator[SignInStandIn]:
    """The stand-in on a free port of 127.0.0.1, in a thread, until the block ends."""
    stand_in = SignInStandIn(user)
    routes = [
        Route(r.path, stand_in.login, methods=["POST"]) if r.path == "/session/v1/login-request" else r
        for r in fakesnow.server.routes
    ]
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        stand_in.port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(Starlette(routes=routes), host="127.0.0.1", port=stand_in.port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, name="snowflake-sign-in", daemon=True)
    thread.start()
    try:
        assert wait_until(lambda: server.started, 10), "the sign-in stand-in did not start"
        yield stand_in
    finally:
        server.should_exit = True
        thread.join(10)
