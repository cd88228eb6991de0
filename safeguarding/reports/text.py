"""Narrative: Markdown as the officers write it, to sanitised HTML for the page and the
PDF, and to Word paragraphs for the DOCX."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import markdown
import nh3

ALLOWED_TAGS = {"p", "h3", "h4", "h5", "strong", "em", "ul", "ol", "li", "blockquote", "a", "br"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}


def _shift_headings(html: str) -> str:
    """The section's title is a level 2 heading: the narrative's own headings start at 3."""

    def shifted(match: re.Match[str]) -> str:
        level = min(int(match.group(2)) + 2, 5)
        return f"<{match.group(1)}h{level}"

    return re.sub(r"<(/?)h([1-6])", shifted, html)


def to_html(text: str) -> str:
    """Markdown to HTML that is safe to put on the page: no script, no style, no
    attributes but a link's address (http, https or mailto)."""
    if not text.strip():
        return ""
    html = _shift_headings(markdown.markdown(text, output_format="html"))
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


class _Paragraphs(HTMLParser):
    """The sanitised HTML as (style, [(text, bold, italic)]) paragraphs for python-docx."""

    STYLES = {
        "h3": "Heading 3",
        "h4": "Heading 4",
        "h5": "Heading 5",
        "p": "Normal",
        "li": "List Bullet",
        "blockquote": "Quote",
    }

    def __init__(self) -> None:
        super().__init__()
        self.out: list[tuple[str, list[tuple[str, bool, bool]]]] = []
        self.style: str | None = None
        self.runs: list[tuple[str, bool, bool]] = []
        self.bold = self.italic = False
        self.quote = False

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in ("h3", "h4", "h5", "p", "li"):
            self._flush()
            self.style = self.STYLES[tag]
            if tag == "p" and self.quote:
                self.style = "Quote"
        elif tag == "blockquote":
            self.quote = True
        elif tag == "strong":
            self.bold = True
        elif tag == "em":
            self.italic = True
        elif tag == "br":
            self.runs.append(("\n", False, False))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("h3", "h4", "h5", "p", "li"):
            self._flush()
        elif tag == "blockquote":
            self.quote = False
        elif tag == "strong":
            self.bold = False
        elif tag == "em":
            self.italic = False

    def handle_data(self, data: str) -> None:
        if self.style is None:
            if not data.strip():
                return
            self.style = "Normal"
        self.runs.append((data, self.bold, self.italic))

    def _flush(self) -> None:
        if self.style and "".join(t for t, _, _ in self.runs).strip():
            self.out.append((self.style, self.runs))
        self.style, self.runs = None, []


def to_paragraphs(html: str) -> list[tuple[str, list[tuple[str, bool, bool]]]]:
    parser = _Paragraphs()
    parser.feed(html)
    parser.close()
    parser._flush()
    return parser.out
