from django.conf import settings
from django.db import models


class TerminalSession(models.Model):
    """The audit row of one PTY session."""

    MODE_SHELL = "shell"
    MODE_KCODE = "kcode"
    MODES = [(MODE_SHELL, "Shell"), (MODE_KCODE, "kcode")]

    session_id = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="terminal_sessions")
    mode = models.CharField(max_length=10, choices=MODES, default=MODE_SHELL)
    pid = models.IntegerField(null=True, blank=True)
    cols = models.PositiveIntegerField(default=80)
    rows = models.PositiveIntegerField(default=24)
    client_address = models.CharField(max_length=100, blank=True)
    node = models.CharField(max_length=200, blank=True, help_text="The server process that owns the PTY.")
    started_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    exit_code = models.IntegerField(null=True, blank=True)
    end_reason = models.CharField(max_length=30, blank=True)
    bytes_in = models.PositiveBigIntegerField(default=0)
    bytes_out = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["-started_at"]
        permissions = [("use_terminal", "Can open terminal sessions")]

    @property
    def is_live(self) -> bool:
        return self.ended_at is None

    def __str__(self) -> str:
        return f"{self.mode} {self.session_id} ({self.user})"
