from django.apps import AppConfig


class TerminalConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "terminal"

    def engines(self) -> dict:
        from . import launch, pty

        shell = launch.shell_argv()
        return {
            "terminal": {
                "shell": shell[0] if shell else None,
                "kcode": launch.kcode_argv() is not None,
                "setsid": pty.setsid_path(),
            }
        }
