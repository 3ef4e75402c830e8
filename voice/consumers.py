"""Socket.IO events of the voice area."""

from kulvex.protocol import Consumer


class VoiceConsumer(Consumer):
    area = "voice"
