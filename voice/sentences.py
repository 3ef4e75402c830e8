"""Cut streamed reply text into sentences, so each can be spoken as soon as it is complete."""

from __future__ import annotations

import re

# A sentence ends at terminal punctuation (maybe closed by quotes or brackets) before whitespace,
# or at a line break.
_BOUNDARY = re.compile(r"(?<=[.!?。！？…])[\"'”’)\]]*\s+|\n+")
_MARKUP = re.compile(r"[*_#`~>|]+")
_WORD = re.compile(r"\w")


def speakable(text: str) -> str:
    """The text without markdown symbols a speech engine would read out."""
    return " ".join(_MARKUP.sub(" ", text).split())


class SentenceSplitter:
    """Feed streamed text; get back each sentence once it is complete.

    Text without punctuation is cut at a word boundary after `max_chars`, so a rambling reply
    still starts speaking early.
    """

    def __init__(self, max_chars: int = 240) -> None:
        self.max_chars = max_chars
        self._buffer = ""

    def feed(self, text: str) -> list[str]:
        self._buffer += text
        sentences = []
        while match := _BOUNDARY.search(self._buffer):
            sentences.append(self._buffer[: match.end()])
            self._buffer = self._buffer[match.end() :]
        if len(self._buffer) > self.max_chars:
            cut = self._buffer.rfind(" ", 0, self.max_chars)
            cut = cut if cut > 0 else self.max_chars
            sentences.append(self._buffer[:cut])
            self._buffer = self._buffer[cut:]
        return [s for s in map(speakable, sentences) if _WORD.search(s)]

    def flush(self) -> list[str]:
        """The rest of the text, once the reply is complete."""
        rest, self._buffer = speakable(self._buffer), ""
        return [rest] if _WORD.search(rest) else []
