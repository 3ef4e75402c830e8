"""Extraction of each file type and chunking by paragraphs and headings with overlap."""

import pytest

from chat.rag.chunking import chunk_sections
from chat.rag.extract import HTML, MARKDOWN, PDF, TEXT, ExtractionError, Section, UnsupportedType, detect_type, extract
from chat.rag.keyword import terms
from chat.rag.retrieval import excerpt

from .rag_corpus import BREWERY_HTML, LIGHTHOUSE_PDF_PAGES, ZORBLAX_MD, pdf_bytes


def test_markdown_sections_follow_the_heading_path():
    sections = extract(ZORBLAX_MD.encode(), MARKDOWN)
    assert [section.heading for section in sections] == [
        "Zorblax X9 survey drone",
        "Zorblax X9 survey drone › Battery",
        "Zorblax X9 survey drone › Frame",
    ]
    assert sections[1].paragraphs[0].startswith("The X9 carries a 7,340 mAh graphene cell.")


def test_markdown_keeps_code_and_lists_as_blocks():
    text = "# A\n\n## B\n\n- one\n- two\n\n```\n# not a heading\n```\n\n# C\n\ntext"
    sections = extract(text.encode(), MARKDOWN)
    assert [(s.heading, s.paragraphs) for s in sections] == [
        ("A › B", ["- one\n- two", "```\n# not a heading\n```"]),
        ("C", ["text"]),
    ]


def test_html_drops_scripts_and_styles_and_keeps_headings():
    sections = extract(BREWERY_HTML.encode(), HTML)
    text = " ".join(p for s in sections for p in s.paragraphs)
    assert "never indexed" not in text and "color" not in text and "Home" not in text
    assert [s.heading for s in sections] == [
        "The Ossendorf brewery",
        "The Ossendorf brewery › Beers",
        "The Ossendorf brewery › Visits",
    ]
    assert sections[1].paragraphs == [
        "Lunn Dark is a stout aged for 14 months in juniper casks.",
        "Kast Pale has 4.1 percent alcohol.",
    ]
    assert sections[2].paragraphs == ["Tours leave from the copper hall every Thursday at half past four."]


def test_pdf_pages_become_sections():
    sections = extract(pdf_bytes(LIGHTHOUSE_PDF_PAGES), PDF)
    assert [s.heading for s in sections] == ["Page 1", "Page 2"]
    assert "The Tessaly lamp turns once every 7.5 seconds." in sections[0].paragraphs[0]


def test_text_paragraphs_and_encodings():
    assert extract(b"\xef\xbb\xbfone\r\n\r\ntwo\nlines", TEXT) == [Section("", ["one", "two\nlines"])]
    assert extract("caf\u00e9".encode("utf-16"), TEXT) == [Section("", ["caf\u00e9"])]
    for data, message in [
        (b"\xff\xfeA", "not UTF-16"),
        (b"caf\xe9", "not UTF-8"),
        (b"a\x00b", "binary"),
        (b" \n ", "No text"),
    ]:
        with pytest.raises(ExtractionError, match=message):
            extract(data, TEXT)


def test_type_detection():
    assert detect_type("Report.PDF") == PDF
    assert detect_type("notes", "text/markdown; charset=utf-8") == MARKDOWN
    assert detect_type("upload.bin", "", b"%PDF-1.7") == PDF
    with pytest.raises(UnsupportedType, match="not a supported file type"):
        detect_type("photo.jpg", "image/jpeg")


def test_chunks_keep_paragraphs_whole_and_stay_under_one_heading():
    paragraphs = [f"Paragraph {n} says the Vorn gate opens at {n} o'clock." for n in range(1, 9)]
    drafts = chunk_sections([Section("Gates", paragraphs), Section("Bells", ["The bell rings."])], 200, 0)
    assert [d.heading for d in drafts][-1] == "Bells" and drafts[-1].text == "The bell rings."
    gate_text = [d.text for d in drafts if d.heading == "Gates"]
    assert all(len(text) <= 200 for text in gate_text) and len(gate_text) > 1
    assert [p for text in gate_text for p in text.split("\n\n")] == paragraphs


def test_chunks_overlap_by_whole_sentences():
    sentences = [f"Sentence {n} is about the Kell dam." for n in range(1, 30)]
    drafts = chunk_sections([Section("", [" ".join(sentences)])], 200, 80)
    assert len(drafts) > 3
    for before, after in zip(drafts, drafts[1:], strict=False):
        assert len(after.text) <= 200
        first_sentence = after.text.split(". ")[0] + "."
        assert first_sentence in before.text  # the next chunk starts with the previous one's end
    covered = " ".join(d.text for d in drafts)
    assert all(sentence in covered for sentence in sentences)


def test_endless_words_are_cut():
    drafts = chunk_sections([Section("", ["x" * 450 + " tail"])], 200, 50)
    assert all(len(d.text) <= 200 for d in drafts)
    assert "".join(d.text for d in drafts).replace(" ", "").startswith("x" * 450)


def test_excerpts_center_on_the_most_specific_query_word():
    text = "The start. " * 30 + "The Zorblax battery lasts 41 minutes. " + "Filler text here. " * 30
    shown = excerpt(text, terms("How long does the Zorblax battery last?"))
    assert "Zorblax battery lasts 41 minutes" in shown
    assert shown.startswith("…") and shown.endswith("…") and len(shown) <= 240 + 2
    assert excerpt("short text", ["zorblax"]) == "short text"
