import asyncio
import sys

from django.core.management.base import BaseCommand, CommandError

from kulvex.protocol import ProtocolError
from kulvex.users import UnknownUser, active_user

REPL_HELP = "Type a question and press Enter. /new starts a new conversation, /quit (or Ctrl-D) leaves."


class Command(BaseCommand):
    help = (
        "Ask the assistant from the shell, through the same router and services as the dashboard. "
        "With a question: stream one answer. Without: a conversation (REPL)."
    )

    def add_arguments(self, parser):
        parser.add_argument("question", nargs="?", help="the question; omit it for an interactive conversation")
        parser.add_argument("--task-type", default="chat", help="routes the question to a model (default: chat)")
        parser.add_argument("--user", help="answer as this user: the conversation is stored, documents can be used")
        parser.add_argument("--project", help="the user's project slug (needs --user)")
        parser.add_argument("--rag", action="store_true", help="answer from the user's documents (needs --user)")
        parser.add_argument("--conversation", type=int, help="continue this stored conversation (needs --user)")

    def handle(self, *args, question, task_type, user, project, rag, conversation, **options):
        user_id = self.user_id(user)
        if user_id is None and (project or rag or conversation):
            raise CommandError("--project, --rag and --conversation need --user.")
        session = _Session(self, user_id, task_type, project, rag, conversation)
        try:
            if question is not None:
                asyncio.run(session.ask(question))
            else:
                self.repl(session)
        except ProtocolError as error:
            raise CommandError(f"{error.code}: {error.message}") from None

    def user_id(self, username: str | None) -> int | None:
        if not username:
            return None
        try:
            return active_user(username).pk
        except UnknownUser as exc:
            raise CommandError(str(exc)) from None

    def repl(self, session: "_Session") -> None:
        interactive = sys.stdin.isatty()
        if interactive:
            self.stderr.write(REPL_HELP)
        # The runner turns Ctrl-C into a cancellation of the answer being streamed, not of the REPL.
        with asyncio.Runner() as runner:
            while True:
                try:
                    line = input("› " if interactive else "")
                except EOFError:
                    break
                line = line.strip()
                if not line:
                    continue
                if line in ("/quit", "/exit"):
                    break
                if line == "/new":
                    session.reset()
                    self.stderr.write("(new conversation)")
                    continue
                try:
                    runner.run(session.ask(line))
                except ProtocolError as error:
                    self.stderr.write(self.style.ERROR(f"{error.code}: {error.message}"))
                except KeyboardInterrupt:
                    self.stderr.write("(stopped)")


class _Session:
    """One conversation: stored when there is a user, kept in memory otherwise."""

    def __init__(self, command: Command, user_id, task_type, project, rag, conversation_id) -> None:
        self.command = command
        self.user_id = user_id
        self.task_type = task_type
        self.project = project
        self.rag = rag
        self.conversation_id = conversation_id
        self.history: list[dict] = []

    def reset(self) -> None:
        self.conversation_id = None
        self.history = []

    async def ask(self, question: str) -> dict:
        from chat.services import ReplyRequest, start_reply

        request = ReplyRequest(
            user_id=self.user_id,
            message=question,
            task_type=self.task_type,
            history=None if self.user_id else list(self.history),
            use_rag=self.rag,
            project=self.project,
            conversation_id=self.conversation_id,
            address="manage.py",
        )
        reply = await start_reply(request)
        out = self.command.stdout
        try:
            async for token in reply.tokens():
                out.write(token, ending="")
                out.flush()
        except (KeyboardInterrupt, asyncio.CancelledError):
            reply.cancel()
            raise
        finally:
            done = await reply.wait()
            out.write("")
        self.conversation_id = done.get("conversation_id") or self.conversation_id
        self.history += [{"role": "user", "content": question}, {"role": "assistant", "content": done["response"]}]
        self.report(done)
        if reply.error is not None:
            raise reply.error
        return done

    def report(self, done: dict) -> None:
        for index, source in enumerate(done.get("sources") or [], 1):
            title = source.get("title") or source.get("document") or "source"
            self.command.stderr.write(f"[{index}] {title}")
        details = [done.get("model") or "?", done.get("finish_reason") or "?"]
        if done.get("conversation_id"):
            details.append(f"conversation {done['conversation_id']}")
        self.command.stderr.write(self.command.style.HTTP_INFO("(" + ", ".join(details) + ")"))
