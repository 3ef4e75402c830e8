import asyncio
import datetime as dt
import json
import subprocess
from pathlib import Path

import httpx
import jwt
import pytest
import socketio
from django.conf import settings

from kulvex.testing import SocketClient

pytestmark = pytest.mark.asyncio
JS = Path(__file__).parent / "js"


async def refused(url: str, **connect_kwargs) -> str:
    """Connect, expect a refusal, and return the server's connect_error message ("" if none)."""
    client = SocketClient(url)
    with pytest.raises(socketio.exceptions.ConnectionError):
        await client.connect(**connect_kwargs)
    errors = client.received("connect_error")
    return errors[0].get("message", "") if errors and isinstance(errors[0], dict) else ""


async def test_health_is_public(server):
    body = httpx.get(f"{server.url}/health").json()
    assert body["status"] == "ok"
    assert body["version"]
    assert body["engines"]["database"] in {"sqlite", "postgresql"}


async def test_login_refresh_and_me(server, make_account):
    account = make_account("viewer")
    login = httpx.post(
        f"{server.url}/api/auth/login", json={"username": account.username, "password": account.password}
    )
    assert login.status_code == 200
    body = login.json()
    assert body["token_type"] == "bearer"
    assert body["user"] == {"id": account.user.pk, "username": account.username, "role": "viewer"}
    refreshed = httpx.post(f"{server.url}/api/auth/refresh", json={"refresh_token": body["refresh_token"]})
    assert refreshed.status_code == 200
    me = httpx.get(f"{server.url}/api/auth/me", headers={"Authorization": f"Bearer {refreshed.json()['access_token']}"})
    assert me.json()["username"] == account.username


async def test_login_rejects_wrong_password_and_bad_refresh(server, make_account):
    account = make_account()
    wrong = httpx.post(f"{server.url}/api/auth/login", json={"username": account.username, "password": "nope"})
    assert wrong.status_code == 401
    assert wrong.json()["code"] == "invalid_credentials"
    bad = httpx.post(f"{server.url}/api/auth/refresh", json={"refresh_token": "garbage"})
    assert bad.status_code == 401


async def test_simplejwt_standard_endpoints(server, make_account):
    account = make_account()
    pair = httpx.post(
        f"{server.url}/api/auth/token/", json={"username": account.username, "password": account.password}
    ).json()
    assert set(pair) == {"access", "refresh"}
    again = httpx.post(f"{server.url}/api/auth/token/refresh/", json={"refresh": pair["refresh"]})
    assert again.status_code == 200 and again.json()["access"]


async def test_connect_with_token_keeps_user_in_session(server, make_account):
    account = make_account("admin")
    async with SocketClient(server.url) as client:
        await client.connect(account.token)
        ack = await client.call("session:whoami", {})
    assert ack == {"ok": True, "user": {"id": account.user.pk, "username": account.username, "role": "admin"}}


async def test_connect_with_bearer_header(server, make_account):
    account = make_account()
    async with SocketClient(server.url) as client:
        await client.connect(headers={"Authorization": f"Bearer {account.token}"})
        ack = await client.call("session:whoami", {})
    assert ack["user"]["username"] == account.username


async def test_anonymous_connect(server):
    async with SocketClient(server.url) as client:
        await client.connect()
        ack = await client.call("session:whoami", {})
    assert ack["user"] == {"id": None, "username": "", "role": "anonymous"}


def forge(claims: dict, key: str, algorithm: str = "HS256") -> str:
    return jwt.encode(claims, key, algorithm=algorithm)


def claims_for(account, **overrides) -> dict:
    now = dt.datetime.now(dt.UTC)
    return {
        "token_type": "access",
        "user_id": str(account.user.pk),
        "jti": "x" * 32,
        "iat": now,
        "exp": now + dt.timedelta(minutes=5),
        **overrides,
    }


async def test_forged_expired_and_none_tokens_are_refused(server, make_account):
    account = make_account("admin")
    key = settings.SIMPLE_JWT["SIGNING_KEY"]
    now = dt.datetime.now(dt.UTC)
    bad_tokens = {
        "garbage": "not-a-jwt",
        "forged": forge(claims_for(account), "some-other-key-of-sufficient-length-123"),
        "expired": forge(claims_for(account, iat=now - dt.timedelta(hours=2), exp=now - dt.timedelta(hours=1)), key),
        "none_algorithm": forge(claims_for(account), "", algorithm="none"),
        "refresh_as_access": account.refresh,
    }
    for name, token in bad_tokens.items():
        assert "invalid_token" in await refused(server.url, token=token), name


async def test_deactivated_users_token_is_refused(server, make_account):
    account = make_account(active=False)
    assert "invalid_token" in await refused(server.url, token=account.token)


async def test_cross_origin_connect_is_refused(server, make_account):
    account = make_account()
    client = SocketClient(server.url)
    with pytest.raises(socketio.exceptions.ConnectionError):
        await client.connect(account.token, headers={"Origin": "http://evil.example"})
    async with SocketClient(server.url) as client:
        await client.connect(account.token, headers={"Origin": server.url})
        assert (await client.call("session:whoami", {}))["ok"]


async def test_oversized_payload_gets_error_and_connection_survives(server, make_account):
    account = make_account()
    async with SocketClient(server.url) as client:
        await client.connect(account.token)
        ack = await client.call("session:whoami", {"pad": "x" * (settings.SOCKETIO_EVENT_LIMITS["*"] + 1)})
        assert ack["ok"] is False
        assert ack["error"]["code"] == "payload_too_large"
        event = await client.wait("session:error")
        assert event["code"] == "payload_too_large"
        bad = await client.call("session:whoami", ["not", "an", "object"])
        assert bad["error"]["code"] == "invalid_payload"
        assert (await client.call("session:whoami", {}))["ok"] is True


async def test_node_socketio_client_connects_as_the_user(server, make_account):
    account = make_account()
    token = httpx.post(
        f"{server.url}/api/auth/login", json={"username": account.username, "password": account.password}
    ).json()["access_token"]
    result = await asyncio.to_thread(
        subprocess.run,
        ["node", str(JS / "connect.mjs"), server.url, token],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    ack = json.loads(result.stdout.strip().splitlines()[-1])
    assert ack == {"ok": True, "user": {"id": account.user.pk, "username": account.username, "role": "user"}}


async def test_openapi_schema_and_docs_page(server):
    schema = httpx.get(f"{server.url}/api/schema/?format=json")
    assert schema.status_code == 200
    assert "/api/auth/login" in schema.json()["paths"]
    page = httpx.get(f"{server.url}/api/docs/")
    assert page.status_code == 200 and "swagger" in page.text.lower()
