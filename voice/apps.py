from django.apps import AppConfig


class VoiceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "voice"

    def engines(self) -> dict:
        from .checks import engines

        return engines()

    def prepare(self, stdout, style) -> None:
        from .checks import prepare

        prepare(stdout, style)
