from django.apps import AppConfig


class ChatConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "chat"

    def engines(self) -> dict:
        from . import llm, rag

        return {**llm.engines(), **rag.engines()}

    def prepare(self, stdout, style) -> None:
        from . import llm, rag

        llm.prepare(stdout, style)
        rag.prepare(stdout, style)
