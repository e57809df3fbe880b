"""Is every medical claim cited, and can every source be opened?

One check for all medical text: article bodies, comparison cells, and (reused by
the checklists) checklist guidance.

What counts as a "medical paragraph"
------------------------------------
Text is split into blocks: paragraphs, list items and table cells of its
Markdown. A block is a *medical paragraph* when it states something a reader may
act on, which this module takes to mean it mentions

- a figure: any digit ("2 to 5 years", "50%", "1-800-..."), or a share in words
  ("half", "a third", "most people"), or
- a word of the medical and benefits vocabulary (``MEDICAL_WORDS``),
  not counting names of organisations and phone numbers (``NOT_CLAIMS``: "the
  National MS Society helpline", "call or text 988" state no medical fact):
  diseases, symptoms, body parts, tests, treatments, care services, benefits and
  laws, or
- it is a list item whose introducing line is medical ("Signs of weak breathing
  include:" makes each bullet after it a claim).

Never medical, whatever they mention:

- headings and table column headers (they name what follows; the text under
  them carries the claim);
- questions (a line ending in "?", such as "Questions to ask" lists);
- a line that only points elsewhere: all of its words are a link, or it is a
  link plus "see"/"read" words (``NAVIGATION``);
- a line made only of prompts to contact someone or note something down:
  every sentence starts with one of ``PROMPTS`` ("Ask your team...", "Call...",
  "Write it down..."), possibly after an "If ...," clause. Prompts to *do*
  something medical ("Apply for SSDI", "Stop riluzole") are not in that list, so
  they still count as claims and need a source.

A medical paragraph that gives advice ("should", "recommends", "suggests",
"offer"...) from UK guidance (a source whose publisher or title names NICE) must
say so in its own words, by naming the UK or NICE: the site's readers are in the
US, and NICE advice is not US practice. Facts that NICE merely reports (how common
a disease is) need no label.

A medical paragraph is *cited* when it carries a citation mark ``[n]``. A list
item is also cited when the paragraph that introduces its list (the one just
before the list, ending in ":") is cited: "Signs include [1]:" covers the bullets
that follow.

The rule reads English and Spanish alike: the vocabulary (in
``content_vocabulary``) lists the words of both languages ("Ask your team..." and
"Pregunte a su equipo..." are both prompts; "weakness" and "debilidad" both
medical). It errs on the side of flagging: a closing
line such as "Please talk to your care team" passes, while "NIV can help you live
longer" needs a source.
"""

import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass
from urllib.parse import urlsplit

import markdown

from .content_vocabulary import (
    FIGURES,
    LEADING_CLAUSE,
    MEDICAL_WORDS,
    NAVIGATION,
    NOT_CLAIMS,
    PROMPTS,
    SENTENCE_END,
)
from .models import Article, Comparison, ComparisonRow

CITATION = re.compile(r"\[\d{1,3}\](?!\()")
CITATION_NUMBER = re.compile(r"\[(\d{1,3})\](?!\()")

BLOCKS = {"p", "li", "td"}
# Column headers of a table name what the cells below say, as headings do.
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6", "th"}


@dataclass(frozen=True)
class Block:
    text: str
    citations: frozenset[int]

    @property
    def is_cited(self) -> bool:
        return bool(self.citations)


def _text(element: etree.Element, *, skip_lists: bool = True) -> str:
    """The words of a block, without the words of lists nested in it."""
    parts = [element.text or ""]
    for child in element:
        if not (skip_lists and child.tag in {"ul", "ol"}):
            parts.append(_text(child, skip_lists=skip_lists))
        parts.append(child.tail or "")
    return "".join(parts)


def _is_navigation_only(element: etree.Element, text: str) -> bool:
    links = "".join(_text(link) for link in element.iter("a"))
    if not links.strip():
        return False
    rest = text
    for link in element.iter("a"):
        rest = rest.replace(_text(link), " ")
    rest = NAVIGATION.sub(" ", CITATION.sub(" ", rest))
    return not re.search(r"\w", rest)


def _numbers(text: str) -> frozenset[int]:
    return frozenset(int(number) for number in CITATION_NUMBER.findall(text))


def _blocks(markdown_text: str):
    """Every paragraph, list item and table cell.

    Each comes with the citations that cover it and the text of the lines that
    introduce it (for list items).
    """
    html = markdown.Markdown(extensions=["tables", "sane_lists"]).convert(
        markdown_text or ""
    )
    # The XML is our own Markdown rendered here, never a file or a request.
    root = etree.fromstring(f"<div>{html}</div>")  # nosec B314

    def walk(element, inherited: frozenset[int], context: str):
        introduction, introduction_text = frozenset(), ""
        for child in element:
            if child.tag in HEADINGS:
                introduction, introduction_text = frozenset(), ""
                continue
            if child.tag in {"ul", "ol"}:
                for item in child:
                    yield from walk_item(
                        item, inherited | introduction, context + introduction_text
                    )
                introduction, introduction_text = frozenset(), ""
                continue
            if child.tag in BLOCKS:
                text = " ".join(_text(child).split())
                own = _numbers(text)
                yield child, text, own | inherited, context
                # A paragraph ending in ":" introduces the list after it.
                if CITATION.sub("", text).rstrip().endswith(":"):
                    introduction, introduction_text = own, text
                else:
                    introduction, introduction_text = frozenset(), ""
                continue
            yield from walk(child, inherited, context)
            introduction, introduction_text = frozenset(), ""

    def walk_item(item, inherited: frozenset[int], context: str):
        if any(child.tag == "p" for child in item):
            yield from walk(item, inherited, context)
            return
        text = " ".join(_text(item).split())
        own = _numbers(text)
        yield item, text, own | inherited, context
        for nested in item:
            if nested.tag in {"ul", "ol"}:
                for sub in nested:
                    yield from walk_item(sub, inherited | own, context + " " + text)

    yield from walk(root, frozenset(), "")


def _is_prompt(sentence: str) -> bool:
    sentence = LEADING_CLAUSE.sub("", sentence.strip(" *_¡¿"))
    # Any letters, so Spanish verbs such as "comuníquese" are read whole.
    first = re.match(r"[^\W\d_][\w']*", sentence)
    return bool(first) and first.group(0).lower() in PROMPTS


def is_medical_paragraph(text: str) -> bool:
    """Whether one block of plain text states a medical fact (see the module rule)."""
    words = " ".join(CITATION.sub(" ", text or "").split())
    if not words or words.endswith("?"):
        return False
    statements = [s for s in SENTENCE_END.split(words) if s and not _is_prompt(s)]
    if not statements:
        return False
    claim = NOT_CLAIMS.sub(" ", " ".join(statements))
    return bool(FIGURES.search(claim) or MEDICAL_WORDS.search(claim))


def medical_blocks(markdown_text: str) -> list[Block]:
    """The medical paragraphs of a Markdown text, each marked cited or not."""
    found = []
    for element, text, citations, introduction in _blocks(markdown_text):
        if _is_navigation_only(element, text) or text.endswith("?"):
            continue
        plain = " ".join(CITATION.sub(" ", text).split())
        if all(_is_prompt(s) for s in SENTENCE_END.split(plain) if s):
            continue
        # A list item continues the sentence that introduces it: "Signs of weak
        # breathing include:" makes "morning headaches" a medical claim.
        if not (is_medical_paragraph(text) or is_medical_paragraph(introduction)):
            continue
        found.append(Block(text=text, citations=citations))
    return found


def uncited_medical_paragraphs(markdown_text: str) -> list[str]:
    """The medical paragraphs of a text that carry no citation mark [n]."""
    return [block.text for block in medical_blocks(markdown_text) if not block.is_cited]


def cited_numbers(markdown_text: str) -> set[int]:
    """Every citation number a text uses."""
    return set(_numbers(markdown_text or ""))


def is_home_page_only(url: str) -> bool:
    """A site's front page rather than the page that makes the claim."""
    parts = urlsplit(url)
    return parts.path.strip("/") == "" and not parts.query


def reference_problems(reference) -> list[str]:
    """What keeps a reader from opening and checking a source.

    Takes anything with title, publisher, url and accessed attributes (a
    Reference), so other apps can check their own sources the same way.
    """
    problems = []
    if not (reference.title or "").strip():
        problems.append("no title")
    if not (reference.publisher or "").strip():
        problems.append("no publisher")
    url = (reference.url or "").strip()
    if not url:
        problems.append("no URL")
    elif not url.lower().startswith(("https://", "http://")):
        problems.append("URL is not a web address")
    elif is_home_page_only(url):
        problems.append("URL is a home page only, not the page that makes the claim")
    if reference.accessed is None:
        problems.append("no access date")
    return problems


# Secondary pages (a charity's blog, a news site) that may be offered as further
# reading, but never as the only support of a medical claim.
FURTHER_READING_HOSTS = frozenset(
    {
        "alsunited.org",
        "multiplesclerosisnewstoday.com",
    }
)


UK_GUIDANCE = re.compile(r"\bNICE\b")
UK_LABEL = re.compile(
    r"\b(?:UK|NICE|England|British|Reino Unido|Inglaterra|británic\w*)\b"
)
ADVICE = re.compile(
    r"(?i:\b(?:should|recommend\w*|suggest\w*|advis\w*|offer\w*|guidance|"
    r"guideline\w*|belongs?|"
    r"recomiend\w*|recomend\w*|aconsej\w*|sugier\w*|suger\w*|deber\w*|"
    r"guía\w*|ofrec\w*)\b)"
)


def is_uk_guidance(reference) -> bool:
    return bool(
        UK_GUIDANCE.search(reference.publisher or "")
        or UK_GUIDANCE.search(reference.title or "")
    )


def is_further_reading(reference) -> bool:
    host = urlsplit((reference.url or "").strip()).hostname or ""
    host = host.removeprefix("www.")
    return host in FURTHER_READING_HOSTS


def text_problems(markdown_text: str, references: dict) -> list[str]:
    """Problems of one cited text, given its references by citation number.

    Reusable for any Markdown that cites [n] against a numbered list of sources.
    """
    problems = []
    for block in medical_blocks(markdown_text):
        short = block.text[:80]
        if not block.is_cited:
            problems.append(f"uncited medical paragraph: {short!r}")
            continue
        missing = sorted(n for n in block.citations if n not in references)
        if missing:
            problems.append(f"cites {missing} with no such source: {short!r}")
        cited = [references[n] for n in block.citations if n in references]
        if cited and all(is_further_reading(reference) for reference in cited):
            problems.append(f"only further reading supports: {short!r}")
        own = [references[n] for n in _numbers(block.text) if n in references]
        if (
            any(is_uk_guidance(r) for r in own)
            and ADVICE.search(block.text)
            and not UK_LABEL.search(block.text)
        ):
            problems.append(f"cites UK guidance without saying so: {short!r}")
    for number in sorted(cited_numbers(markdown_text)):
        reference = references.get(number)
        if reference is not None:
            for problem in reference_problems(reference):
                problems.append(f"source [{number}] {reference.title!r}: {problem}")
    return problems


def article_problems(article) -> list[str]:
    """Everything the content check finds wrong with one article."""
    references = {
        citation.order: citation.reference
        for citation in article.citations.select_related("reference")
    }
    return text_problems(article.body, references)


def comparison_row_problems(row) -> list[str]:
    """A comparison cell that states a fact needs a source of its own column."""
    problems = []
    for column, value, reference in (
        ("first", row.first_value, row.first_reference),
        ("second", row.second_value, row.second_reference),
    ):
        if not is_medical_paragraph(value):
            continue
        if reference is None:
            problems.append(f"{row.feature!r}, {column} column: no source")
            continue
        if is_further_reading(reference):
            problems.append(
                f"{row.feature!r}, {column} column: only further reading supports it"
            )
        for problem in reference_problems(reference):
            problems.append(f"{row.feature!r}, {column} column source: {problem}")
    return problems


def published_content_problems() -> dict[str, list[str]]:
    """Every problem of the content the public can read, keyed by where it is.

    Published articles (of published diseases) and the rows of published
    comparisons; drafts are left alone until they are published.
    """
    found = {}
    articles = (
        Article.objects.published()
        .select_related("disease")
        .prefetch_related("citations__reference")
    )
    for article in articles:
        references = {c.order: c.reference for c in article.citations.all()}
        problems = text_problems(article.body, references)
        if problems:
            found[f"article {article.disease.slug}/{article.slug}"] = problems
    rows = ComparisonRow.objects.filter(
        comparison__in=Comparison.objects.published()
    ).select_related("comparison", "first_reference", "second_reference")
    for row in rows:
        problems = comparison_row_problems(row)
        if problems:
            found.setdefault(f"comparison {row.comparison.slug}", []).extend(problems)
    return found
