import logging
import sys

from django.core.management.base import BaseCommand, CommandError

from terminal.kcode import launch, routes
from terminal.kcode import settings as conf
from terminal.kcode.permissions import MODES
from terminal.kcode.users import UnknownUser, resolve_user
from terminal.kcode.workspace import Workspace


class Command(BaseCommand):
    requires_system_checks = []  # an interactive tool: start fast; `manage.py check` covers these
    help = "kcode: a coding assistant working in one directory, interactive or with --print."

    def add_arguments(self, parser):
        parser.add_argument(
            "--print",
            nargs="?",
            const="-",
            metavar="QUESTION",
            dest="question",
            help="answer QUESTION (or standard input, for '-' or nothing) as plain text and exit; "
            "implied when standard input is not a terminal",
        )
        parser.add_argument(
            "--permission",
            choices=MODES,
            default=conf.KCODE_PERMISSION,
            help="whether write_file and run_shell run: ask each time, auto, or deny (KCODE_PERMISSION)",
        )
        parser.add_argument("--task-type", default=conf.KCODE_TASK_TYPE, help="the route answering (KCODE_TASK_TYPE)")
        parser.add_argument("--cwd", default=".", help="the working directory the tools are confined to")
        parser.add_argument("--user", help="act as this user (default: the terminal session's, or the only superuser)")

    def handle(self, *args, question, permission, task_type, cwd, user, verbosity, **options):
        # The server's request logs would scribble over the conversation; -v 2 shows them.
        logging.getLogger().setLevel(logging.INFO if verbosity > 1 else logging.ERROR)
        if permission not in MODES:
            raise CommandError(f"Unknown permission mode {permission!r}; use one of {', '.join(MODES)}.")
        if problem := routes.problem_with(task_type):
            raise CommandError(problem)
        try:
            acting = resolve_user(user)
            workspace = Workspace(cwd)
        except (UnknownUser, OSError) as exc:
            raise CommandError(str(exc)) from None
        if question is None and sys.stdin.isatty():
            launch.interactive(acting.pk, workspace, task_type, permission)
            return
        if question in (None, "-"):
            question = sys.stdin.read().strip()
        if not question.strip():
            raise CommandError("--print needs a question, as an argument or on standard input.")
        if not launch.once(acting.pk, workspace, task_type, permission, question):
            sys.exit(1)
