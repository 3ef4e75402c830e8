from django.conf import settings
from django.db import models


class VoiceSession(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="voice_sessions")
    conversation = models.ForeignKey(
        "chat.Conversation", null=True, blank=True, on_delete=models.SET_NULL, related_name="voice_sessions"
    )
    language = models.CharField(max_length=20)
    engine = models.CharField(max_length=30, default="vosk")
    sample_rate = models.PositiveIntegerField(default=16000)
    client_address = models.CharField(max_length=100, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=30, blank=True)
    audio_seconds = models.FloatField(default=0)
    turns = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at"]

    @property
    def is_live(self) -> bool:
        return self.ended_at is None

    def __str__(self) -> str:
        return f"voice {self.pk} ({self.user})"


class VoiceTurn(models.Model):
    session = models.ForeignKey(VoiceSession, on_delete=models.CASCADE, related_name="turn_rows")
    index = models.PositiveIntegerField()
    transcript = models.TextField(blank=True)
    reply = models.TextField(blank=True)
    stt_ms = models.FloatField(null=True, blank=True)
    llm_ms = models.FloatField(null=True, blank=True)
    first_sentence_ms = models.FloatField(null=True, blank=True)
    tts_ms = models.FloatField(null=True, blank=True)
    first_audio_ms = models.FloatField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["session_id", "index"]

    def __str__(self) -> str:
        return f"turn {self.index} of {self.session_id}"
