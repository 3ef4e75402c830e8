"""A small corpus of made-up facts no model could know, in every supported format.

Each `Fact` is a question and a phrase found only in the chunk that answers it.
"""

from __future__ import annotations

import io
import itertools
import os
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from pypdf import PdfWriter
from pypdf.generic import ContentStream, DictionaryObject, NameObject

from chat.models import Document, Project
from chat.rag.documents import create_document
from chat.rag.indexing import index_document

_names = itertools.count(1)


@dataclass(frozen=True)
class Fact:
    question: str
    answer: str  # a phrase of the one chunk that answers the question
    file: str


ZORBLAX_MD = """# Zorblax X9 survey drone

The Zorblax X9 is a survey drone built by Quillon Aeronautics in the town of Veltmoor.
It maps peat bogs for the Veltmoor water board.

## Battery

The X9 carries a 7,340 mAh graphene cell. A full charge gives 41 minutes of hover time,
and the cell recharges in 95 minutes from the Quillon dock.

## Frame

The frame is woven from basalt fibre and weighs 1.2 kilograms without the payload.
"""

BREWERY_HTML = """<!doctype html><html><head><title>Ossendorf brewery</title>
<style>body { color: #333 }</style><script>var secret = "never indexed";</script></head>
<body><nav><a href="/">Home</a></nav>
<h1>The Ossendorf brewery</h1>
<p>Mirela Kast founded the brewery in 1783 on the bank of the river Lunn.</p>
<h2>Beers</h2>
<ul><li>Lunn Dark is a stout aged for 14 months in juniper casks.</li>
<li>Kast Pale has 4.1 percent alcohol.</li></ul>
<h2>Visits</h2>
<p>Tours leave from the copper hall every Thursday at <b>half past four</b>.</p>
</body></html>
"""

KRANTZ_TXT = """Notes on the Krantz K-12 pump.

The K-12 moves 418 litres of water per minute at full speed.

It needs a 24 volt supply and draws 6 amperes while priming.
"""

LIGHTHOUSE_PDF_PAGES = [
    [
        "Tessaly lighthouse keeper's manual",
        "",
        "The Tessaly lamp turns once every 7.5 seconds.",
        "Its beam reaches 31 nautical miles.",
    ],
    ["Keepers", "", "Ambrose Quill kept the Tessaly light from 1902 to 1931."],
]

FACTS = [
    Fact("How many minutes can the Zorblax X9 hover on one charge?", "41 minutes", "zorblax-x9.md"),
    Fact("Who founded the Ossendorf brewery?", "Mirela Kast", "ossendorf.html"),
    Fact("How long is Lunn Dark aged?", "14 months", "ossendorf.html"),
    Fact("How many litres per minute does the Krantz K-12 pump move?", "418 litres", "krantz-k12.txt"),
    Fact("How often does the Tessaly lamp turn?", "7.5 seconds", "tessaly.pdf"),
    Fact("Who kept the Tessaly light?", "Ambrose Quill", "tessaly.pdf"),
]


def pdf_bytes(pages: list[list[str]]) -> bytes:
    """A PDF with one page of Helvetica text lines per item of `pages`, written with pypdf."""
    writer = PdfWriter()
    font = writer._add_object(
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject("/Helvetica"),
            }
        )
    )
    for lines in pages:
        page = writer.add_blank_page(612, 792)
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})}
        )
        text = "".join(f"({_pdf_escape(line)}) Tj T* " for line in lines)
        stream = ContentStream(None, writer)
        stream.set_data(f"BT /F1 11 Tf 14 TL 72 720 Td {text}ET".encode("latin-1"))
        page.replace_contents(stream)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _pdf_escape(line: str) -> str:
    return line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def corpus_files() -> dict[str, bytes]:
    return {
        "zorblax-x9.md": ZORBLAX_MD.encode(),
        "ossendorf.html": BREWERY_HTML.encode(),
        "krantz-k12.txt": KRANTZ_TXT.encode(),
        "tessaly.pdf": pdf_bytes(LIGHTHOUSE_PDF_PAGES),
    }


def make_user(prefix: str = "rag"):
    return get_user_model().objects.create_user(f"{prefix}{os.getpid()}_{next(_names)}", password="unused-Pass-42")


def make_project(owner, name: str) -> Project:
    return Project.objects.create(owner=owner, name=name)


def ingest(owner, name: str, data: bytes, project: Project | None = None) -> Document:
    """Store and index a file in this process, as `manage.py ingest` does."""
    return index_document(create_document(owner, name, data, project=project))
