"""A live voice session: audio in, utterances out, each answered by the assistant and spoken back.

A turn: audio chunks → vosk (`voice:partial` as the text changes) → end of utterance (vosk's
endpoint, or `voice:stop`) → `voice:transcript` → the reply from chat's assistant service, cut
into sentences as it streams → espeak-ng → one `voice:audio` per sentence, the first while the rest
is still being generated → `voice:response` with the whole reply once it is complete (its
`audio_parts` says how many `voice:audio` the turn has).

The gate: from the end of an utterance until `voice:playback_done`, incoming audio is dropped, not
buffered: it is the reply leaking from the client's speaker into its microphone, and feeding it
later would turn it into a bogus utterance. Clients that never send `voice:playback_done` get
listening back once the reply's audio would have finished playing plus a grace period.
An endpoint with nothing recognized (silence) is not a turn; `voice:stop` after audio in which
nothing was recognized reports `no_speech`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import Executor

from django.conf import settings

from chat.services import ReplyRequest, start_reply
from kulvex.protocol import ProtocolError

from . import records, stt, tts
from .audio import pcm_seconds
from .records import Turn
from .sentences import SentenceSplitter
from .stt import Recognizer

logger = logging.getLogger("voice")

Emit = Callable[[str, dict], Awaitable[None]]


def _ms(since: float, until: float | None = None) -> float:
    return round(((until or time.perf_counter()) - since) * 1000, 1)


async def in_thread(pool: Executor, fn: Callable, *args):
    return await asyncio.get_running_loop().run_in_executor(pool, fn, *args)


class Voice:
    """Speaks a reply's sentences in order while the reply is still being generated."""

    def __init__(self, language: str, turn: int, emit: Emit) -> None:
        self.language = language
        self.turn = turn
        self.emit = emit
        self.parts = 0
        self.seconds = 0.0
        self.tts_ms = 0.0
        self.first_audio_at: float | None = None
        self._sentences: asyncio.Queue[str | None] = asyncio.Queue()
        self._task = asyncio.create_task(self._speak_all())
        # A failure surfaces in finish(); when the turn ends before that, it is already reported.
        self._task.add_done_callback(lambda task: task.cancelled() or task.exception())

    def say(self, sentence: str) -> None:
        self.parts += 1
        self._sentences.put_nowait(sentence)

    async def finish(self) -> None:
        """Wait until every sentence said so far has been sent."""
        self._sentences.put_nowait(None)
        await self._task

    def cancel(self) -> None:
        self._task.cancel()

    async def _speak_all(self) -> None:
        index = 0
        while (sentence := await self._sentences.get()) is not None:
            started = time.perf_counter()
            try:
                speech = await in_thread(tts.executor(), tts.synthesize, sentence, self.language)
            except tts.SpeechError as exc:
                raise ProtocolError("tts_failed", str(exc)) from None
            self.tts_ms += _ms(started)
            await self.emit(
                "audio",
                {
                    "audio": speech.base64(),
                    "format": "wav",
                    "sample_rate": speech.sample_rate,
                    "turn": self.turn,
                    "index": index,
                    "text": sentence,
                },
            )
            self.first_audio_at = self.first_audio_at or time.perf_counter()
            self.seconds += speech.seconds
            index += 1


class LiveSession:
    """One connection's voice session: its recognizer, its gate and its turns."""

    def __init__(
        self,
        *,
        session_id: int,
        user_id: int,
        language: str,
        recognizer: Recognizer,
        emit: Emit,
        on_end: Callable[[str], Awaitable[None]],
    ) -> None:
        self.session_id = session_id
        self.user_id = user_id
        self.language = language
        self.recognizer = recognizer
        self.emit = emit
        self.on_end = on_end
        self.audio_seconds = 0.0
        self.listening = True
        self.stopping = False
        self.conversation_id: int | None = None
        self._turns = 0
        self._replying = False
        self._chunks: asyncio.Queue[tuple[bytes | None, float]] = asyncio.Queue()
        self._worker: asyncio.Task | None = None
        self._reply = None
        self._reopen: asyncio.TimerHandle | None = None

    @property
    def sample_rate(self) -> int:
        return self.recognizer.sample_rate

    def start(self) -> None:
        self._worker = asyncio.create_task(self._run(), name=f"voice-session-{self.session_id}")

    def accept(self, pcm: bytes) -> bool:
        """Queue audio for recognition; False when the gate drops it."""
        seconds = pcm_seconds(pcm, self.sample_rate)
        limit = settings.VOICE_MAX_SESSION_SECONDS
        if self.audio_seconds + seconds > limit:
            raise ProtocolError(
                "session_too_long", f"A voice session takes at most {limit:g} s of audio; start a new one.", limit=limit
            )
        self.audio_seconds += seconds
        if not self.listening or self.stopping:
            return False
        self._chunks.put_nowait((pcm, time.perf_counter()))
        return True

    def stop(self) -> None:
        """Finish the current utterance (and its reply), then end the session."""
        if not self.stopping:
            self.stopping = True
            self._chunks.put_nowait((None, time.perf_counter()))

    def playback_done(self) -> bool:
        """The client played the reply: listen again, unless the reply is still being generated."""
        if self._replying:
            return False
        self._listen_again()
        return True

    async def close(self) -> None:
        """Stop at once: the reply, its speech and recognition."""
        self.stopping = True
        if self._reopen is not None:
            self._reopen.cancel()
        if self._reply is not None:
            self._reply.cancel()
        worker = self._worker
        if worker is not None and worker is not asyncio.current_task():
            worker.cancel()
            await asyncio.gather(worker, return_exceptions=True)

    async def _run(self) -> None:
        reason = "stop"
        try:
            await self._listen()
        except Exception:
            logger.exception("voice session %s failed", self.session_id)
            await self._report(ProtocolError("internal_error", "Speech recognition failed."))
            reason = "error"
        await self.on_end(reason)

    async def _listen(self) -> None:
        while True:
            pcm, arrived = await self._chunks.get()
            if pcm is None:
                return await self._finish_utterance(arrived)
            heard = await in_thread(stt.executor(), self.recognizer.feed, pcm)
            if heard.partial:
                await self.emit("partial", {"text": heard.partial})
            if heard.final:
                await self._turn(heard.final, _ms(arrived))

    async def _finish_utterance(self, asked_at: float) -> None:
        if not self.recognizer.has_audio:
            return
        heard = await in_thread(stt.executor(), self.recognizer.finish)
        if heard.final:
            await self._turn(heard.final, _ms(asked_at))
        else:
            await self._report(ProtocolError("no_speech", "No speech was recognized."))

    async def _turn(self, transcript: str, stt_ms: float) -> None:
        self.listening = False
        self._drop_queued_audio()
        self._replying = True
        turn = Turn(index=self._turns, transcript=transcript, stt_ms=stt_ms)
        self._turns += 1
        spoken, failure = 0.0, None
        try:
            spoken = await self._answer(turn)
        except ProtocolError as error:
            failure = error
        except asyncio.CancelledError:
            turn.error = "cancelled: the session ended"
            raise
        except Exception:
            logger.exception("voice turn %s of session %s failed", turn.index, self.session_id)
            failure = ProtocolError("internal_error", "The reply failed.")
        finally:
            self._replying = False
            if failure is not None:
                turn.error = f"{failure.code}: {failure.message}"
            await records.save_turn(
                self.session_id, turn, conversation_id=self.conversation_id, audio_seconds=self.audio_seconds
            )
        # Listening resumes before the failure is reported, so the client may speak again at once.
        self._await_playback(spoken)
        if failure is not None:
            await self._report(failure)

    async def _answer(self, turn: Turn) -> float:
        """Get the reply to `turn`, speaking it as it streams; return the seconds of audio sent."""
        await self.emit("transcript", {"text": turn.transcript, "language": self.language, "turn": turn.index})
        started = time.perf_counter()
        voice = Voice(self.language, turn.index, self.emit)
        try:
            self._reply = await start_reply(
                ReplyRequest(
                    user_id=self.user_id,
                    message=turn.transcript,
                    conversation_id=self.conversation_id,
                    conversation_kind="voice",
                    system=settings.VOICE_SYSTEM_PROMPT,
                    max_tokens=settings.VOICE_MAX_REPLY_TOKENS,
                )
            )
            self.conversation_id = self._reply.conversation_id
            splitter = SentenceSplitter()
            async for piece in self._reply.tokens():
                self._say(voice, splitter.feed(piece), turn, started)
            self._say(voice, splitter.flush(), turn, started)
            done = await self._reply.wait()
            turn.llm_ms, turn.reply = _ms(started), done["response"]
            if self._reply.error is not None:
                raise self._reply.error
            self._replying = False
            await self.emit(
                "response",
                {
                    "text": done["response"],
                    "turn": turn.index,
                    "audio_parts": voice.parts,
                    "conversation_id": self.conversation_id,
                    "message_id": done["message_id"],
                },
            )
            await voice.finish()
        finally:
            self._reply = None
            voice.cancel()
            turn.tts_ms = voice.tts_ms or None
            turn.first_audio_ms = _ms(started, voice.first_audio_at) if voice.first_audio_at else None
        return voice.seconds

    def _say(self, voice: Voice, sentences: list[str], turn: Turn, started: float) -> None:
        for sentence in sentences:
            if turn.first_sentence_ms is None:
                turn.first_sentence_ms = _ms(started)
            voice.say(sentence)

    async def _report(self, error: ProtocolError) -> None:
        await self.emit("error", error.as_event())

    def _drop_queued_audio(self) -> None:
        """Audio that came after the utterance ended belongs to no utterance; keep a pending stop."""
        while not self._chunks.empty():
            item = self._chunks.get_nowait()
            if item[0] is None:
                self._chunks.put_nowait(item)
                return

    def _await_playback(self, seconds: float) -> None:
        if self.listening:
            return
        if seconds <= 0 or self.stopping:
            self._listen_again()
            return
        delay = seconds + settings.VOICE_PLAYBACK_GRACE_SECONDS
        self._reopen = asyncio.get_running_loop().call_later(delay, self._listen_again)

    def _listen_again(self) -> None:
        if self._reopen is not None:
            self._reopen.cancel()
            self._reopen = None
        self.listening = True
