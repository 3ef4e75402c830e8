"""Socket.IO events about the connection itself."""

from .protocol import Client, Consumer, event


class SessionConsumer(Consumer):
    area = "session"

    @event("whoami")
    async def whoami(self, client: Client, payload) -> dict:
        """Who the server thinks this connection is."""
        return {"user": {"id": client.user_id, "username": client.username, "role": client.role}}
