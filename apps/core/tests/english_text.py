"""Finding English left on a page meant to be in Spanish.

What a reader meets is checked: the visible text, the page's title and the words
that assistive technology reads out or a pointer shows (aria-label, title,
placeholder, alt, the value of a button). Script and style are not text. Content
that has no Spanish translation yet is marked lang="en" (the page says so, and a
screen reader pronounces it in English); proper names are marked translate="no":
both are left out, with everything inside them.

The check is a list of English words, not a language detector: function words and
the interface's own words ("the", "your", "sign", "save"...), none of which is also
a Spanish word, so a Spanish sentence never trips it and an English button label
always does.
"""

import re
from dataclasses import dataclass
from html.parser import HTMLParser

ENGLISH_WORDS = frozenset(
    """
    the and your you with from this that these those there here what when where
    which who why how about into onto our ours we they their them its it's is are
    was were be been being have has had will would should could can't cannot don't
    doesn't isn't not only also than then more most all any some each every other
    for of to on at by or if it an my i'm you're we're
    please thank thanks yes
    sign signed signing search save saved back next previous page pages home help
    find show hide open close print send add remove delete edit change cancel
    continue submit read learn view details results filter clear apply skip main
    menu account password profile email e-mail mail services service step steps
    stage stages checklist checklists done due overdue soon left today new now
    choose share sharing stop keep update go get see
    """.split()
)

# Attributes whose words are read out or shown to the reader.
READ_ATTRIBUTES = ("aria-label", "aria-description", "title", "placeholder", "alt")
SKIPPED_ELEMENTS = {"script", "style", "template", "noscript"}
VOID_ELEMENTS = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
    "source", "track", "wbr",
}  # fmt: skip
# Addresses are not words: "help@example.org" is no English.
ADDRESSES = re.compile(r"\S+@\S+|(?:https?://|www\.)\S+|\S+\.(?:org|com|gov)\b\S*")
WORD = re.compile(r"[A-Za-zÀ-ÿ]+(?:['’][A-Za-z]+)?")


@dataclass(frozen=True)
class EnglishPhrase:
    text: str
    words: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.text!r} ({', '.join(self.words)})"


def english_words(text: str) -> tuple[str, ...]:
    """The words of text that are on the English list, in order, once each."""
    found = []
    for word in WORD.findall(ADDRESSES.sub(" ", text)):
        word = word.lower().replace("’", "'")
        if word in ENGLISH_WORDS and word not in found:
            found.append(word)
    return tuple(found)


class _ReaderText(HTMLParser):
    """Collects the pieces of text a reader meets, outside excluded elements."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []
        # The open elements: (tag, whether it or an ancestor is excluded).
        self._open: list[tuple[str, bool]] = []

    @property
    def _inside_excluded(self) -> bool:
        return bool(self._open) and self._open[-1][1]

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        excluded = (
            self._inside_excluded
            or tag in SKIPPED_ELEMENTS
            or (attributes.get("lang") or "").lower().startswith("en")
            or attributes.get("translate") == "no"
        )
        if not excluded:
            for name in READ_ATTRIBUTES:
                if attributes.get(name):
                    self.pieces.append(attributes[name])
            if tag == "input" and attributes.get("type") in ("submit", "button"):
                self.pieces.append(attributes.get("value") or "")
        if tag not in VOID_ELEMENTS:
            self._open.append((tag, excluded))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID_ELEMENTS:
            self._open.pop()

    def handle_endtag(self, tag):
        # Close up to the matching element: HTML lets some end tags go unwritten.
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index][0] == tag:
                del self._open[index:]
                return

    def handle_data(self, data):
        if not self._inside_excluded:
            self.pieces.append(data)


def english_left(html: str, one_language_texts=()) -> list[EnglishPhrase]:
    """Each piece of the page's reader text that holds English words, once.

    one_language_texts: content with no Spanish yet and listing text kept in the
    language it was written in (a service's name). Where markup can mark it
    lang="en" it is skipped with its element; inside a page title or a label read
    out ("Marcar como hecho: Keep a symptom diary") it cannot be, so those texts are
    taken out of each piece before its words are checked."""
    parser = _ReaderText()
    parser.feed(html)
    parser.close()
    cut = sorted({" ".join(t.split()) for t in one_language_texts if t}, key=len)[::-1]
    phrases: dict[str, EnglishPhrase] = {}
    for piece in parser.pieces:
        text = " ".join(piece.split())
        checked = text
        for known in cut:
            if known in checked:
                checked = checked.replace(known, " ")
        words = english_words(checked)
        if words and text not in phrases:
            phrases[text] = EnglishPhrase(text[:120], words)
    return list(phrases.values())
