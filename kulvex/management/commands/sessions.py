from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from rich import box
from rich.console import Console
from rich.table import Table

from kulvex.sessions_api import session_rows
from terminal.control import EndFailed, end_anywhere


def human_bytes(count: int) -> str:
    for unit in ("B", "KB", "MB"):
        if count < 1024:
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1024
    return f"{count:.1f} GB"


def _details(row: dict) -> str:
    if row["kind"] == "terminal":
        text = f"{row['mode']} {row['cols']}x{row['rows']}, in {human_bytes(row['bytes_in'])}"
        text += f", out {human_bytes(row['bytes_out'])}"
        return text + (f", exit {row['exit_code']}" if row["exit_code"] is not None else "")
    return f"{row['language']} {row['engine']}, {row['turns']} turns, {row['audio_seconds']:.1f} s audio"


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S") if value else ""


class Command(BaseCommand):
    help = "List live voice and terminal sessions (--all: past ones too) or end a live terminal session (--end ID)."

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="include ended sessions")
        parser.add_argument("--kind", choices=["terminal", "voice"], help="only this kind of session")
        parser.add_argument("--user", help="only this user's sessions")
        parser.add_argument("--end", metavar="ID", help="end the live terminal session with this id")

    def handle(self, *args, all, kind, user, end, **options):
        if end:
            try:
                self.stdout.write(end_anywhere(end))
            except EndFailed as error:
                raise CommandError(error.message) from None
            return
        owner = None
        if user:
            from django.contrib.auth import get_user_model

            owner = get_user_model().objects.filter(username=user).first()
            if owner is None:
                raise CommandError(f"No user {user!r}.")
        rows = session_rows(owner, ended=all, kind=kind or "")
        if not rows:
            self.stdout.write("No sessions." if all else "No live sessions.")
            return
        table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
        for column in ("kind", "id", "user", "started", "state", "address", "details"):
            table.add_column(column)
        for row in rows:
            state = "live" if row["live"] else f"ended {_when(row['ended_at'])} ({row['end_reason'] or '-'})"
            table.add_row(
                row["kind"],
                str(row["id"]),
                row["user"]["username"],
                _when(row["started_at"]),
                state,
                row["client_address"],
                _details(row),
            )
        console = Console(width=200, no_color=options.get("no_color", False), force_terminal=False)
        with console.capture() as captured:
            console.print(table)
        self.stdout.write(captured.get(), ending="")
