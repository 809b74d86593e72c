"""What every SalesDesk PDF must show, whatever fonts the machine has (issue 13).

Read back with pypdf: the text a director copies out, the pages, and the fonts embedded."""

from __future__ import annotations

import re
from pathlib import Path

from pypdf import PdfReader

BUNDLED = {"LiberationSans", "LiberationSans-Bold", "LiberationSans-Italic", "LiberationSans-BoldItalic"}
AMOUNT = re.compile(r"\d[\d,]*\.\d\d(?![\dA-Za-z])")  # 1,040,000.00
AMOUNT_WITH_CURRENCY = re.compile(r"\d[\d,]*\.\d\d [A-Z]{3}\b")


def page_texts(pdf: Path) -> list[str]:
    """Each page's text, lines as laid out, words parted by one space (pypdf reads the
    gaps between words Qt placed one by one as tabs)."""
    return ["\n".join(re.sub(r"[ \t]+", " ", line).strip() for line in (page.extract_text() or "").splitlines())
            for page in PdfReader(pdf).pages]


def embedded_fonts(pdf: Path) -> set[str]:
    """The base names of the fonts the PDF embeds (subset prefixes "ABCDEF+" dropped)."""
    names: set[str] = set()
    for page in PdfReader(pdf).pages:
        fonts = (page.get("/Resources") or {}).get_object().get("/Font") or {}
        for ref in fonts.get_object().values():
            font = ref.get_object()
            for descendant in font.get("/DescendantFonts") or [font]:
                described = descendant.get_object()
                descriptor = (described.get("/FontDescriptor") or {}).get_object() if described.get("/FontDescriptor") else {}
                embedded = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
                name = str(described.get("/BaseFont", font.get("/BaseFont"))).lstrip("/")
                names.add(name.split("+", 1)[-1] + ("" if embedded else " (not embedded)"))
    return names


def amounts_whole(texts: list[str], currency: str = "EUR") -> list[str]:
    """The lines where an amount is not followed by its currency (it wrapped away), or a
    currency stands without its amount."""
    broken = []
    for text in texts:
        for line in text.splitlines():
            bare = [m for m in AMOUNT.finditer(line) if not line[m.end():].startswith(f" {currency}")
                    and not line[m.end():].startswith("%")]
            if bare or line.strip() == currency or line.lstrip().startswith(f"{currency} "):
                broken.append(line)
    return broken


def check_document(pdf: Path) -> list[str]:
    """The PDF's pages as text, after checking what holds for every document: no "…",
    every amount with its currency on one line, only the bundled fonts embedded."""
    texts = page_texts(pdf)
    assert texts and all(t.strip() for t in texts), f"{pdf.name}: a page without text"
    cut = [line for t in texts for line in t.splitlines() if "\u2026" in line]
    assert not cut, f"{pdf.name}: text cut short: {cut[:3]}"
    assert not amounts_whole(texts), f"{pdf.name}: an amount parted from its currency: {amounts_whole(texts)[:3]}"
    fonts = embedded_fonts(pdf)
    assert fonts and fonts <= BUNDLED, f"{pdf.name}: fonts other than the bundled ones: {sorted(fonts - BUNDLED)}"
    return texts


def same_document(one: Path, other: Path) -> None:
    """Laid out alike: the same pages with the same text (the layout owes nothing to the
    machine's fonts)."""
    first, second = check_document(one), check_document(other)
    assert len(first) == len(second), f"{one.name}: {len(first)} pages against {len(second)}"
    for n, (a, b) in enumerate(zip(first, second), start=1):
        assert a == b, f"{one.name}, page {n}: the text differs between font setups"
