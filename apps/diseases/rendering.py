"""Markdown of disease content, made safe for a page.

Every content field is Markdown typed by editors. It is converted with
Python-Markdown, then cleaned by nh3 against an allow-list, so no script, event
handler, frame or javascript:/data: link reaches a page, whatever was typed.
Article bodies also get their citations ([1], [2]...) linked to the reference
list, and the first use of each glossary term linked to its definition.
"""

import html
import re
import xml.etree.ElementTree as etree
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

import markdown
import nh3
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "dd",
    "dl",
    "dt",
    "em",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "li",
    "ol",
    "p",
    "pre",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "aria-describedby", "aria-label"},
    "abbr": {"title"},
    "ol": {"start"},
    "th": {"scope"},
}
# Classes are refused except these, so typed HTML cannot borrow the site's
# layout classes to cover or hide parts of the page.
ALLOWED_CLASSES = {"a": {"citation", "glossary-term"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}

_cleaner = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    clean_content_tags={"script", "style"},
    attributes=ALLOWED_ATTRIBUTES,
    allowed_classes=ALLOWED_CLASSES,
    url_schemes=ALLOWED_URL_SCHEMES,
    strip_comments=True,
    link_rel="noopener noreferrer",
)
_strip_all = nh3.Cleaner(tags=set(), clean_content_tags={"script", "style"})

# A citation mark and the space before it, for text without marks.
CITATION_MARK = re.compile(r"\s*\[\d{1,3}\]")
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
# Citations are linked anywhere but inside links and code; glossary terms
# also stay unlinked in headings.
NO_CITATION_TAGS = {"a", "code", "pre"}
NO_TERM_TAGS = NO_CITATION_TAGS | HEADINGS

# ts_headline marks matches with these characters (from Unicode's private use
# area); the snippet is escaped first, then they become <mark> tags.
MARK_START = "\ue000"
MARK_STOP = "\ue001"


def sanitize(unsafe_html: str) -> SafeString:
    return mark_safe(_cleaner.clean(unsafe_html))  # nosec B308 B703: cleaned just now


class GlossaryMatcher:
    """Finds the terms (and their other forms) of a glossary in running text.

    Forms in capitals (EMG, ALS) match only in capitals; others match in any case.
    """

    def __init__(self, terms: Iterable):
        self.by_form = {}
        patterns = []
        for term in terms:
            for form in term.forms:
                key = form if form.isupper() else form.casefold()
                if key in self.by_form:
                    continue
                self.by_form[key] = term
                escaped = re.escape(form)
                patterns.append(
                    (len(form), escaped if form.isupper() else f"(?i:{escaped})")
                )
        patterns.sort(key=lambda pair: -pair[0])
        alternatives = "|".join(pattern for _length, pattern in patterns)
        self.pattern = (
            re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)") if alternatives else None
        )

    def term_for(self, text: str):
        return self.by_form.get(text) or self.by_form.get(text.casefold())


@dataclass
class Rendered:
    html: SafeString
    terms: list = field(default_factory=list)

    def __str__(self):
        return self.html


class _Annotator(Treeprocessor):
    """Links citations and the first use of each glossary term, in the parsed tree."""

    def __init__(
        self, md, citations: Collection[int], glossary: GlossaryMatcher | None
    ):
        super().__init__(md)
        self.citations = set(citations)
        self.glossary = glossary
        self.linked = {}
        parts = [r"(?P<cite>\[(?P<number>\d{1,3})\])"]
        if glossary is not None and glossary.pattern is not None:
            parts.append(f"(?P<term>{glossary.pattern.pattern})")
        self.pattern = re.compile("|".join(parts))

    def run(self, root):
        for element in root.iter():
            # The page has the only h1; a "#" heading in a body becomes an h2.
            if element.tag == "h1":
                element.tag = "h2"
            elif element.tag == "th":
                element.set("scope", "col")
        self._walk(root, cite=True, term=True)

    def _walk(self, element, *, cite: bool, term: bool):
        cite = cite and element.tag not in NO_CITATION_TAGS
        term = term and element.tag not in NO_TERM_TAGS
        if not (cite or term):
            return
        if element.text:
            element.text, new = self._annotate(element.text, cite=cite, term=term)
            for index, node in enumerate(new):
                element.insert(index, node)
        for child in list(element):
            self._walk(child, cite=cite, term=term)
            if child.tail:
                child.tail, new = self._annotate(child.tail, cite=cite, term=term)
                position = list(element).index(child) + 1
                for offset, node in enumerate(new):
                    element.insert(position + offset, node)

    def _annotate(self, text: str, *, cite: bool, term: bool):
        head, nodes, last = "", [], 0

        def append_text(value: str):
            nonlocal head
            if nodes:
                nodes[-1].tail = (nodes[-1].tail or "") + value
            else:
                head = value

        for match in self.pattern.finditer(text):
            node = None
            if match.group("cite") is not None:
                number = int(match.group("number"))
                if cite and number in self.citations:
                    node = etree.Element("sup")
                    link = etree.SubElement(
                        node,
                        "a",
                        {
                            "href": f"#ref-{number}",
                            "class": "citation",
                            "aria-label": gettext("Source %(number)s")
                            % {"number": number},
                        },
                    )
                    link.text = f"[{number}]"
            elif term:
                glossary_term = self.glossary.term_for(match.group("term"))
                if glossary_term is not None and glossary_term.slug not in self.linked:
                    self.linked[glossary_term.slug] = glossary_term
                    node = etree.Element(
                        "a",
                        {
                            "href": f"#term-{glossary_term.slug}",
                            "class": "glossary-term",
                            "aria-describedby": f"term-def-{glossary_term.slug}",
                            "title": plain_text(glossary_term.definition),
                        },
                    )
                    node.text = match.group("term")
            if node is None:
                continue
            append_text(text[last : match.start()])
            nodes.append(node)
            last = match.end()
        if not nodes:
            return text, []
        append_text(text[last:])
        return head, nodes


class _AnnotateExtension(Extension):
    def __init__(self, citations, glossary):
        super().__init__()
        self.annotator_args = (citations, glossary)

    def extendMarkdown(self, md):  # noqa: N802 (Python-Markdown's name)
        self.annotator = _Annotator(md, *self.annotator_args)
        # After inline parsing (20), before escaped characters come back (0),
        # so "\[1\]" stays plain text.
        md.treeprocessors.register(self.annotator, "carenav_annotate", 5)


def render_markdown(
    text: str,
    *,
    citations: Collection[int] = (),
    glossary: GlossaryMatcher | None = None,
) -> Rendered:
    """Markdown to safe HTML, with citations and glossary terms linked.

    citations: the numbers that have a reference; any other [n] stays text.
    """
    extension = _AnnotateExtension(citations, glossary)
    converter = markdown.Markdown(
        extensions=["tables", "sane_lists", extension], output_format="html"
    )
    raw = converter.convert(text or "")
    terms = sorted(
        extension.annotator.linked.values(), key=lambda term: term.term.casefold()
    )
    return Rendered(html=sanitize(raw), terms=terms)


_BLOCK_END = re.compile(r"([^.!?:;\s])\s*</(li|h[1-6]|td|th|dt|dd)>")


def plain_text(markdown_text: str) -> str:
    """The words of a Markdown text, without markup or citation marks."""
    rendered = markdown.Markdown(extensions=["tables", "sane_lists"]).convert(
        CITATION_MARK.sub("", markdown_text or "")
    )
    # A list item or heading reads as a sentence of its own.
    rendered = _BLOCK_END.sub(r"\1.</\2>", rendered)
    text = html.unescape(_strip_all.clean(rendered))
    return " ".join(text.split())


_MARKDOWN_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_TAG = re.compile(r"<[^>]*>")
_MARKUP = re.compile(r"[*_`#>|]+")
_MARKED = re.compile(f"{MARK_START}([^{MARK_START}{MARK_STOP}]*){MARK_STOP}")


def search_snippet(headline: str) -> SafeString:
    """A ts_headline excerpt as safe HTML: escaped, then marked. The excerpt is cut
    from plain_text(); leftover markup, if any, is dropped all the same."""
    text = _TAG.sub(" ", headline or "")
    text = _MARKDOWN_LINK.sub(r"\1", text)
    text = CITATION_MARK.sub("", text)
    text = _MARKUP.sub("", text)
    text = escape(" ".join(text.split()))
    text = _MARKED.sub(r"<mark>\1</mark>", text)
    text = text.replace(MARK_START, "").replace(MARK_STOP, "")
    return mark_safe(text)  # nosec B308 B703: escaped above; only <mark> added
