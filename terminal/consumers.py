"""Socket.IO events of the terminal area."""

from kulvex.protocol import Consumer


class TerminalConsumer(Consumer):
    area = "terminal"
