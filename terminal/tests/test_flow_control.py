"""Flow control: a client that stops reading holds the program back, and loses nothing."""

import json

import pytest
from websockets.asyncio.client import connect

from kulvex.testing import SocketClient, eventually

from .terminals import find_descendant

pytestmark = pytest.mark.asyncio

LINES = 4_000_000  # ≈ 31 MB of output: far more than every buffer on the way can hold


class RawSocketIO:
    """A minimal Socket.IO client over one WebSocket, which can stop reading at will."""

    def __init__(self, ws) -> None:
        self.ws = ws
        self.next_ack = 0

    @classmethod
    async def open(cls, url: str, token: str):
        ws = await connect(url.replace("http", "ws") + "/socket.io/?EIO=4&transport=websocket", compression=None)
        assert (await ws.recv()).startswith("0")  # Engine.IO open
        await ws.send("40" + json.dumps({"token": token}))
        assert (await ws.recv()).startswith("40")  # Socket.IO connect
        return cls(ws)

    async def call(self, event: str, data: dict) -> dict:
        ack_id, self.next_ack = self.next_ack, self.next_ack + 1
        await self.ws.send(f"42{ack_id}" + json.dumps([event, data]))
        while True:
            message = await self.receive()
            if message.startswith(f"43{ack_id}["):
                return json.loads(message[len(f"43{ack_id}") :])[0]

    async def receive(self) -> str:
        while True:
            message = await self.ws.recv()
            if message == "2":  # Engine.IO ping
                await self.ws.send("3")
            else:
                return message

    async def events(self, name: str):
        while True:
            message = await self.receive()
            if message.startswith("42["):
                event, data = json.loads(message[2:])
                if event == name:
                    yield data


async def test_a_client_that_stops_reading_pauses_the_program_and_gets_everything_later(server, terminal_account):
    account = terminal_account()
    slow = await RawSocketIO.open(server.url, account.token)
    session_id = (await slow.call("terminal:create", {}))["session_id"]
    command = f"stty -echo; echo START-$((1+1)); seq 1 {LINES}; echo END-$((2+2))\n"
    assert (await slow.call("terminal:data", {"session_id": session_id, "data": command}))["ok"]
    # From here on the slow client reads nothing, until the server has paused the PTY.

    async with await SocketClient(server.url).connect(account.token) as watcher:

        async def paused() -> bool:
            sessions = (await watcher.call("terminal:list", {}))["sessions"]
            return any(s["session_id"] == session_id and s["paused"] for s in sessions)

        await eventually(paused, timeout=60)
        assert find_descendant(server.process.pid, "seq", "1", str(LINES))  # held back, not finished

        output = []
        async for event in slow.events("terminal:data"):
            output.append(event["data"])
            if "END-4" in "".join(output[-2:]):
                break
        assert not await paused()
    text = "".join(output).replace("\r\n", "\n")
    body = text.split("START-2\n", 1)[1].split("END-4", 1)[0]
    assert body == "".join(f"{n}\n" for n in range(1, LINES + 1))
    await slow.call("terminal:destroy", {"session_id": session_id})
    await slow.ws.close()
