"""The assistant's reply, used by chat, voice and kcode alike.

`start_reply` checks the request and its limits, resolves the project and conversation,
assembles the prompt (system → project instructions → retrieved context → history → message,
within the model's context window), starts generating and saves the user's message while the
model connects; it returns once the message is saved. The returned `Reply` streams the text and,
once it ends for whatever reason, persists the assistant message.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict, deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any, Literal

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from pydantic import BaseModel, StrictStr, TypeAdapter, ValidationError

from kulvex.protocol import ProtocolError

from . import rag
from .llm import get_router
from .llm.generation import Generation
from .llm.prompt import estimate_tokens, fit_messages
from .models import Conversation, Message, Project

logger = logging.getLogger("chat.services")


@dataclass
class ReplyRequest:
    user_id: int | None  # None = anonymous: nothing stored, no retrieval
    message: str
    task_type: str = "chat"
    history: list[dict] | None = None  # [{role, content}]; None = the conversation's stored history
    use_rag: bool = False
    project: str | None = None  # the user's project slug
    conversation_id: int | None = None
    conversation_kind: str = "chat"  # Conversation.kind
    system: str | None = None  # extra system instructions
    max_tokens: int | None = None
    address: str = ""  # the client's address: anonymous limits are per address


class Reply:
    """A reply being generated. `tokens()` has one reader; `wait()` may be awaited by many."""

    def __init__(
        self,
        generation: Generation,
        conversation: Conversation | None,
        sources: list[dict],
        on_done: Callable[[], None] = lambda: None,
    ) -> None:
        self.user_id = conversation.owner_id if conversation else None
        self.conversation_id = conversation.pk if conversation else None
        self.error: ProtocolError | None = None
        self._generation = generation
        self._done = asyncio.create_task(self._finish(conversation, sources))
        self._done.add_done_callback(lambda _: on_done())

    def tokens(self) -> AsyncIterator[str]:
        return aiter(self._generation)

    def cancel(self) -> None:
        self._generation.cancel()

    async def wait(self) -> dict:
        return await asyncio.shield(self._done)

    async def _finish(self, conversation: Conversation | None, sources: list[dict]) -> dict:
        outcome = await self._generation.wait()
        if outcome.finish_reason == "error":
            self.error = _failure(bool(self._generation.text), self.conversation_id)
        message_id = None
        if conversation is not None:
            message_id = await _store_answer(conversation, self._generation, sources)
        return {
            "response": self._generation.text,
            "model": outcome.model,
            "conversation_id": self.conversation_id,
            "message_id": message_id,
            "finish_reason": outcome.finish_reason,
            "sources": sources,
        }


def _failure(started: bool, conversation_id: int | None) -> ProtocolError:
    if started:
        code, message = "generation_failed", "The model stopped answering; the partial reply was kept."
    else:
        code, message = "llm_unavailable", "No language model could answer right now; try again later."
    return ProtocolError(code, message, conversation_id=conversation_id)


async def start_reply(request: ReplyRequest) -> Reply:
    """Validate `request`, start generating and store the user's message (see the module docstring)."""
    router = get_router()
    router.route(request.task_type)  # unknown_task_type, before anything else
    _check_text(request)
    history = _check_history(request.history)
    owner = _owner_key(request)
    _check_anonymous(request, owner)
    _generations.reserve(owner)
    try:
        project, conversation, stored = await _load(request, with_history=history is None)
        max_tokens = min(request.max_tokens or settings.LLM_MAX_TOKENS, settings.LLM_MAX_TOKENS)
        window = router.context_tokens(request.task_type)
        messages, sources = await _prompt(request, project, stored if history is None else history, window, max_tokens)
        generation = router.stream(request.task_type, messages, max_tokens)
        if request.user_id is not None:
            try:
                # The model is already connecting: the database adds nothing to the time to first token.
                conversation = await _store_question(request, project, conversation)
            except BaseException:
                generation.cancel()
                raise
    except BaseException:
        _generations.release(owner)
        raise
    return Reply(generation, conversation, sources, on_done=lambda: _generations.release(owner))


# --- checks -----------------------------------------------------------------------------------


class _Turn(BaseModel):
    role: Literal["user", "assistant", "system"]
    content: StrictStr


_HISTORY = TypeAdapter(list[_Turn])


def _check_text(request: ReplyRequest) -> None:
    if not isinstance(request.message, str):
        raise ProtocolError("invalid_payload", "message: Input should be a valid string", field="message")
    if not request.message.strip():
        raise ProtocolError("empty_message", "The message is empty.")
    if len(request.message) > settings.CHAT_MAX_MESSAGE_CHARS:
        raise ProtocolError(
            "message_too_long",
            f"The message has {len(request.message)} characters; the limit is {settings.CHAT_MAX_MESSAGE_CHARS}.",
            limit=settings.CHAT_MAX_MESSAGE_CHARS,
        )
    if request.conversation_kind not in dict(Conversation.KINDS):
        raise ProtocolError("invalid_payload", f"Unknown conversation kind {request.conversation_kind!r}.")


def _check_history(history: Any) -> list[dict] | None:
    if history is None:
        return None
    try:
        turns = _HISTORY.validate_python(history)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in ("history", *first["loc"]))
        raise ProtocolError("invalid_history", f"{where}: {first['msg']}", field=where) from None
    limit = settings.CHAT_MAX_HISTORY_MESSAGES
    if len(turns) > limit:
        raise ProtocolError(
            "history_too_long", f"The history has {len(turns)} messages; the limit is {limit}.", limit=limit
        )
    if any(len(turn.content) > settings.CHAT_MAX_MESSAGE_CHARS for turn in turns):
        raise ProtocolError("history_too_long", "A history message is longer than the message limit.")
    return [turn.model_dump() for turn in turns]


def _owner_key(request: ReplyRequest) -> str:
    return f"user:{request.user_id}" if request.user_id is not None else f"address:{request.address}"


class _RateLimit:
    """At most `limit` events per `window` seconds per key, in this process."""

    def __init__(self) -> None:
        self._seen: dict[str, deque[float]] = defaultdict(deque)

    def hit(self, key: str, limit: int, window: float) -> bool:
        now = time.monotonic()
        if len(self._seen) > 10_000:  # forget idle keys so many addresses cannot grow this forever
            for idle in [k for k, times in self._seen.items() if not times or times[-1] < now - window]:
                del self._seen[idle]
        times = self._seen[key]
        while times and times[0] <= now - window:
            times.popleft()
        if len(times) >= limit:
            return False
        times.append(now)
        return True


class _Generations:
    """Generations running per owner, in this process."""

    def __init__(self) -> None:
        self._running: dict[str, int] = defaultdict(int)

    def reserve(self, owner: str) -> None:
        limit = settings.CHAT_MAX_CONCURRENT_GENERATIONS
        if self._running[owner] >= limit:
            raise ProtocolError(
                "too_many_generations",
                f"{limit} replies are already being generated for you; wait for one or stop it.",
                limit=limit,
            )
        self._running[owner] += 1

    def release(self, owner: str) -> None:
        self._running[owner] -= 1
        if self._running[owner] <= 0:
            del self._running[owner]


_anonymous_rate = _RateLimit()
_generations = _Generations()


def _check_anonymous(request: ReplyRequest, owner: str) -> None:
    if request.user_id is not None:
        return
    if not settings.CHAT_ALLOW_ANONYMOUS:
        raise ProtocolError("unauthenticated", "Log in to chat.")
    if request.project or request.conversation_id is not None:
        raise ProtocolError("unauthenticated", "Log in to use projects and stored conversations.")
    limit, window = settings.CHAT_ANONYMOUS_RATE_LIMIT, settings.CHAT_ANONYMOUS_RATE_WINDOW
    if limit and not _anonymous_rate.hit(owner, limit, window):
        raise ProtocolError(
            "rate_limited",
            f"Anonymous chat allows {limit} messages per {window:g} seconds; log in or wait.",
            retry_after=window,
        )


# --- data -------------------------------------------------------------------------------------
# Each function is one trip to the database thread: fewer trips, less time to the first token.


async def _load(request: ReplyRequest, with_history: bool) -> tuple[Project | None, Conversation | None, list[dict]]:
    """The request's project and conversation (both the user's own), and the stored history."""
    if not request.project and request.conversation_id is None:
        return None, None, []
    return await _load_rows(request, with_history)


@sync_to_async
def _load_rows(request: ReplyRequest, with_history: bool) -> tuple[Project | None, Conversation | None, list[dict]]:
    project = conversation = None
    if request.project:
        project = Project.objects.filter(owner_id=request.user_id, slug=request.project).first()
        if project is None:
            raise ProtocolError("unknown_project", f"You have no project {request.project!r}.")
    if request.conversation_id is not None:
        conversations = Conversation.objects.select_related("project")
        conversation = conversations.filter(pk=request.conversation_id, owner_id=request.user_id).first()
        if conversation is None:
            raise ProtocolError("conversation_not_found", f"You have no conversation {request.conversation_id}.")
    history = []
    if conversation is not None and with_history:
        recent = conversation.messages.exclude(content="").order_by("-created_at", "-id")
        history = list(recent.values("role", "content")[: settings.CHAT_MAX_HISTORY_MESSAGES])[::-1]
    return project or (conversation.project if conversation else None), conversation, history


@sync_to_async
def _store_question(request: ReplyRequest, project: Project | None, conversation: Conversation | None) -> Conversation:
    with transaction.atomic():
        if conversation is None:
            conversation = Conversation.objects.create(
                owner_id=request.user_id,
                project=project,
                title=" ".join(request.message.split())[:80],
                kind=request.conversation_kind,
                task_type=request.task_type,
            )
        Message.objects.create(conversation=conversation, role=Message.ROLE_USER, content=request.message)
    return conversation


@sync_to_async
def _store_answer(conversation: Conversation, generation: Generation, sources: list[dict]) -> int | None:
    outcome = generation.outcome
    try:
        with transaction.atomic():
            message = Message.objects.create(
                conversation=conversation,
                role=Message.ROLE_ASSISTANT,
                content=generation.text,
                model=outcome.model,
                backend=outcome.backend,
                finish_reason=outcome.finish_reason,
                prompt_tokens=outcome.prompt_tokens,
                completion_tokens=outcome.completion_tokens,
                first_token_ms=generation.first_token_ms,
                duration_ms=generation.duration_ms,
                error=outcome.error,
                sources=sources,
            )
            Conversation.objects.filter(pk=conversation.pk).update(updated_at=timezone.now())
    except Exception:
        logger.exception("saving the reply of conversation %s failed", conversation.pk)
        return None
    return message.pk


# --- prompt -----------------------------------------------------------------------------------


async def _prompt(
    request: ReplyRequest, project: Project | None, history: list[dict], window: int, max_tokens: int
) -> tuple[list[dict], list[dict]]:
    """The messages for the model within its context `window`, and the sources they cite."""
    budget = window - max_tokens
    if estimate_tokens(request.message) > budget:
        raise ProtocolError(
            "message_too_long", f"The message does not fit the model's context window of {window} tokens."
        )
    context, sources = _context(await _retrieve(request, project), budget // 2)
    head = _head(request.system, project, context)
    return fit_messages(head, history, {"role": "user", "content": request.message}, budget), sources


async def _retrieve(request: ReplyRequest, project: Project | None) -> list[rag.Retrieved]:
    if not request.use_rag or request.user_id is None:
        return []
    try:
        return await rag.retrieve(
            request.user_id, request.message, project.pk if project else None, settings.CHAT_RAG_RESULTS
        )
    except ProtocolError:
        raise
    except Exception:
        logger.exception("retrieval failed for user %s", request.user_id)
        raise ProtocolError(
            "retrieval_failed", "Searching your documents failed; try again or turn use_rag off."
        ) from None


def _context(retrieved: list[rag.Retrieved], budget: int) -> tuple[str, list[dict]]:
    """Context lines for the best passages that fit `budget` tokens, and their sources."""
    lines, sources, used = [], [], 0
    for item in retrieved:
        line = "Context: " + " ".join(item.text.split())
        used += estimate_tokens(line)
        if used > budget:
            break
        lines.append(line)
        sources.append(item.as_source())
    return "\n".join(lines), sources


def _head(system: str | None, project: Project | None, context: str) -> list[dict]:
    parts = [
        " ".join(filter(None, [settings.CHAT_SYSTEM_PROMPT, system])),
        project.instructions if project else "",
        context,
    ]
    return [{"role": "system", "content": part} for part in parts if part.strip()]
