"""Chunks of about `size` characters that keep paragraphs whole and stay under one heading.

A paragraph longer than a chunk is cut between sentences (between words for an endless
sentence). Each chunk after the first of a section repeats the last sentences of the previous
one, up to `overlap` characters, so a fact cut at a boundary is still found with its context.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from .extract import Section

_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s+")
PARAGRAPH, SENTENCE = "\n\n", " "


@dataclass(frozen=True)
class Draft:
    heading: str
    text: str


@dataclass(frozen=True)
class _Piece:
    separator: str  # what joins it to the piece before it
    text: str


def chunk_sections(sections: Iterable[Section], size: int, overlap: int) -> list[Draft]:
    overlap = min(overlap, size // 2)
    return [
        Draft(section.heading, text)
        for section in sections
        for text in _pack(list(_pieces(section.paragraphs, size)), size, overlap)
    ]


def _pieces(paragraphs: list[str], size: int) -> Iterator[_Piece]:
    for paragraph in paragraphs:
        if len(paragraph) <= size:
            yield _Piece(PARAGRAPH, paragraph)
            continue
        for position, sentence in enumerate(_sentences(paragraph, size)):
            yield _Piece(SENTENCE if position else PARAGRAPH, sentence)


def _sentences(text: str, size: int) -> Iterator[str]:
    for sentence in _SENTENCE_END.split(text):
        if len(sentence) <= size:
            yield sentence
        else:
            yield from _windows(sentence.split(), size)


def _windows(words: list[str], size: int) -> Iterator[str]:
    current = ""
    for word in words:
        while len(word) > size:  # a "word" longer than a chunk: cut it
            if current:
                yield current
                current = ""
            yield word[:size]
            word = word[size:]
        if current and len(current) + 1 + len(word) > size:
            yield current
            current = ""
        current = f"{current} {word}" if current else word
    if current:
        yield current


def _length(pieces: list[_Piece]) -> int:
    return sum(len(piece.separator) + len(piece.text) for piece in pieces[1:]) + (len(pieces[0].text) if pieces else 0)


def _render(pieces: list[_Piece]) -> str:
    return pieces[0].text + "".join(piece.separator + piece.text for piece in pieces[1:])


def _pack(pieces: list[_Piece], size: int, overlap: int) -> Iterator[str]:
    current: list[_Piece] = []
    for piece in pieces:
        if current and _length([*current, piece]) > size:
            yield _render(current)
            current = _tail(current, overlap)
            if _length([*current, piece]) > size:
                current = []
        current.append(piece)
    if current:
        yield _render(current)


def _tail(pieces: list[_Piece], limit: int) -> list[_Piece]:
    """The last sentences of `pieces` that fit in `limit` characters."""
    taken: list[_Piece] = []
    for piece in reversed(pieces):
        sentences = _SENTENCE_END.split(piece.text)
        for position in range(len(sentences) - 1, -1, -1):
            candidate = _Piece(piece.separator if position == 0 else SENTENCE, sentences[position])
            if _length([candidate, *taken]) > limit:
                return taken
            taken.insert(0, candidate)
    return taken
