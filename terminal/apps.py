from django.apps import AppConfig


class TerminalConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "terminal"

    def engines(self) -> dict:
        from . import launch

        return {
            "terminal": {
                "shell": launch.shell_path(),
                "kcode": launch.kcode_argv() is not None,
            }
        }
