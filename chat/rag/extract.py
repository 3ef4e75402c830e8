"""Text out of uploaded files: plain text, Markdown, HTML and PDF, as sections under headings."""

from __future__ import annotations

import codecs
import io
import re
from dataclasses import dataclass, field
from pathlib import PurePath

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import PreformattedString
from markdown_it import MarkdownIt
from pypdf import PdfReader

TEXT, MARKDOWN, HTML, PDF = "text/plain", "text/markdown", "text/html", "application/pdf"
EXTENSIONS = {
    ".txt": TEXT,
    ".text": TEXT,
    ".md": MARKDOWN,
    ".markdown": MARKDOWN,
    ".html": HTML,
    ".htm": HTML,
    ".xhtml": HTML,
    ".pdf": PDF,
}
_CONTENT_TYPES = {TEXT, MARKDOWN, HTML, PDF, "text/x-markdown", "application/xhtml+xml"}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
# Not content: code, metadata, and site navigation repeated on every page.
_SKIPPED = {"script", "style", "noscript", "template", "head", "svg", "iframe", "object", "nav"}
_BLOCKS = {
    "address", "article", "aside", "blockquote", "caption", "dd", "details", "div", "dl", "dt",
    "fieldset", "figcaption", "figure", "footer", "form", "header", "hr", "li", "main", "ol",
    "p", "section", "summary", "table", "tr", "ul",
}  # fmt: skip
_BLANK_LINE = re.compile(r"\n\s*\n")


class ExtractionError(Exception):
    """A file whose text cannot be read; the message is shown to its owner."""


class UnsupportedType(ExtractionError):
    pass


@dataclass
class Section:
    heading: str  # the heading path, e.g. "Specifications › Battery"
    paragraphs: list[str] = field(default_factory=list)


def detect_type(name: str, content_type: str = "", head: bytes = b"") -> str:
    """The canonical content type of a file, from its first bytes, name or declared type."""
    if head.startswith(b"%PDF-"):
        return PDF
    found = EXTENSIONS.get(PurePath(name).suffix.lower())
    declared = content_type.split(";")[0].strip().lower()
    if found is None and declared in _CONTENT_TYPES:
        found = {"text/x-markdown": MARKDOWN, "application/xhtml+xml": HTML}.get(declared, declared)
    if found is None:
        kinds = ", ".join(sorted(EXTENSIONS))
        raise UnsupportedType(f"{name!r} is not a supported file type; KULVEX indexes {kinds}.")
    return found


def extract(data: bytes, content_type: str) -> list[Section]:
    """The sections of a file with text; raises ExtractionError for files without readable text."""
    reader = {TEXT: _plain, MARKDOWN: _markdown, HTML: _html, PDF: _pdf}[content_type]
    sections = [section for section in reader(data) if section.paragraphs]
    if not sections:
        hint = " (a scanned PDF needs OCR first)" if content_type == PDF else ""
        raise ExtractionError(f"No text found in this file{hint}.")
    return sections


class _Outline:
    """Collects paragraphs under the current heading path."""

    def __init__(self) -> None:
        self.sections = [Section("")]
        self._path: list[tuple[int, str]] = []

    def heading(self, level: int, title: str) -> None:
        title = " ".join(title.split())
        self._path = [(depth, text) for depth, text in self._path if depth < level] + [(level, title)]
        self.sections.append(Section(" › ".join(text for _, text in self._path if text)))

    def paragraph(self, text: str) -> None:
        text = text.strip()
        if text:
            self.sections[-1].paragraphs.append(text)


def _decode(data: bytes) -> str:
    utf16 = data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    if not utf16 and b"\x00" in data[:8192]:
        raise ExtractionError("This looks like a binary file, not text.")
    try:
        return data.decode("utf-16" if utf16 else "utf-8-sig").replace("\r\n", "\n")
    except UnicodeDecodeError as exc:
        encoding = "UTF-16" if utf16 else "UTF-8"
        raise ExtractionError(f"The file is not {encoding} text (invalid byte at position {exc.start}).") from None


def _plain(data: bytes) -> list[Section]:
    return [Section("", [part.strip() for part in _BLANK_LINE.split(_decode(data)) if part.strip()])]


def _markdown(data: bytes) -> list[Section]:
    text = _decode(data)
    lines = text.split("\n")
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    outline = _Outline()
    for position, token in enumerate(tokens):
        if token.level != 0 or token.map is None or token.type == "hr":
            continue
        if token.type == "heading_open":
            outline.heading(int(token.tag[1]), tokens[position + 1].content)
        else:
            start, end = token.map
            outline.paragraph("\n".join(lines[start:end]))
    return outline.sections


class _HtmlText:
    """Walks an HTML tree: headings open sections, block elements end paragraphs."""

    def __init__(self) -> None:
        self.outline = _Outline()
        self._inline: list[str] = []

    def flush(self) -> None:
        self.outline.paragraph(" ".join("".join(self._inline).split()))
        self._inline.clear()

    def walk(self, node: Tag) -> None:
        for child in node.children:
            if isinstance(child, PreformattedString):  # comments, doctype, CDATA
                continue
            if isinstance(child, NavigableString):
                self._inline.append(str(child))
            elif child.name in _HEADINGS:
                self.flush()
                self.outline.heading(int(child.name[1]), child.get_text(" "))
            elif child.name == "pre":
                self.flush()
                self.outline.paragraph(child.get_text())
            elif child.name in ("br", "td", "th"):
                self._inline.append(" ")
                self.walk(child)
            elif child.name in _BLOCKS:
                self.flush()
                self.walk(child)
                self.flush()
            elif child.name not in _SKIPPED:
                self.walk(child)


def _html(data: bytes) -> list[Section]:
    reader = _HtmlText()
    reader.walk(BeautifulSoup(data, "html.parser"))
    reader.flush()
    return reader.outline.sections


def _pdf(data: bytes) -> list[Section]:
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ExtractionError("The PDF is encrypted.")
        pages = [page.extract_text() or "" for page in reader.pages]
    except ExtractionError:
        raise
    except Exception as exc:  # pypdf raises many types on damaged files
        raise ExtractionError(f"Could not read the PDF: {exc}") from None
    return [
        Section(f"Page {number}", [" ".join(part.split()) for part in _BLANK_LINE.split(text) if part.strip()])
        for number, text in enumerate(pages, 1)
    ]
