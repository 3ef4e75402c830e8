"""Socket.IO events of the chat area."""

from kulvex.protocol import Consumer


class ChatConsumer(Consumer):
    area = "chat"
