from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.text import Text


class _ProgressOutput:
    """What the apps write, printed above the progress bar instead of through it."""

    def __init__(self, console: Console) -> None:
        self.console = console

    def write(self, msg: str = "", ending: str = "\n") -> None:
        self.console.print(Text.from_ansi(msg), end="" if ending and msg.endswith(ending) else ending)

    def flush(self) -> None:
        self.console.file.flush()


class Command(BaseCommand):
    help = (
        "Prepare what the embedded defaults need: assemble and verify bundled models, check "
        "espeak-ng and vosk. Safe to run again; finished steps are skipped."
    )

    def handle(self, *args, **options):
        steps = [
            (config.label, config.prepare)
            for config in apps.get_app_configs()
            if getattr(config, "prepare", None) is not None
        ]
        # A bar over the apps' steps on a terminal; plain lines in logs and pipes.
        interactive = self.stdout.isatty()
        console = Console(no_color=options.get("no_color", False))
        progress = Progress(
            SpinnerColumn(),
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
            disable=not interactive,
        )
        out = _ProgressOutput(console) if interactive else self.stdout
        failures = []
        with progress:
            task = progress.add_task("preparing", total=len(steps))
            for label, prepare in steps:
                progress.update(task, description=f"preparing {label}")
                try:
                    prepare(out, self.style)
                except Exception as exc:  # one engine failing must not hide the others' state
                    failures.append(f"{label}: {exc}")
                    self.stderr.write(self.style.ERROR(f"{label}: {exc}"))
                progress.advance(task)
        if failures:
            raise CommandError("Some parts are not ready:\n  " + "\n  ".join(failures))
        self.stdout.write(self.style.SUCCESS("Everything is prepared."))
