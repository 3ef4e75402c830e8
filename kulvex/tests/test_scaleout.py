"""Several server processes sharing Socket.IO rooms through Redis."""

import asyncio

import pytest
import socketio

from kulvex.realtime import user_room
from kulvex.testing import SocketClient, requires_redis

REDIS_URL = "redis://127.0.0.1:6379/15"


pytestmark = [pytest.mark.asyncio, requires_redis()]


@pytest.fixture(scope="module")
def redis_servers(start_server):
    env = {"REDIS_URL": REDIS_URL}
    return start_server(env, name="redis-a"), start_server({**env, "KULVEX_WORKERS": "2"}, name="redis-b")


async def test_emit_from_outside_reaches_the_users_clients_on_every_node(redis_servers, make_account):
    account = make_account()
    clients = []
    for server in redis_servers:
        for _ in range(2):  # two connections per node; node b has two worker processes
            clients.append(await SocketClient(server.url).connect(account.token))
    try:
        for client in clients:
            assert (await client.call("session:whoami", {}))["user"]["username"] == account.username
        emitter = socketio.AsyncRedisManager(REDIS_URL, write_only=True)
        await emitter.emit("session:notice", {"text": "hello everywhere"}, room=user_room(account.user.pk))
        notices = await asyncio.gather(*(client.wait("session:notice") for client in clients))
        assert notices == [{"text": "hello everywhere"}] * len(clients)
    finally:
        for client in clients:
            await client.disconnect()


async def test_serve_refuses_several_workers_without_redis():
    from django.core.management import call_command
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="REDIS_URL"):
        await asyncio.to_thread(call_command, "serve", "--workers", "2")
