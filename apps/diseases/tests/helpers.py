import html
import re
from html.parser import HTMLParser

# Tags that run code, load something or cover the page: none may come from content.
FORBIDDEN_TAGS = {
    "script",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "svg",
    "math",
    "style",
    "img",
    "link",
    "meta",
    "base",
}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data"}
UNSAFE_SCHEMES = ("javascript:", "data:", "vbscript:")


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    handle_startendtag = handle_starttag


def main_html(response) -> str:
    """The <main> element of a page: content, without the site's own scripts."""
    page = response.content.decode()
    return page.split("<main", 1)[1].split("</main>", 1)[0]


def assert_safe_html(fragment: str) -> None:
    parser = _Tags()
    parser.feed(fragment)
    for tag, attrs in parser.tags:
        assert tag not in FORBIDDEN_TAGS, f"<{tag}> reached the page"
        for name, value in attrs:
            assert not name.startswith("on"), f"{name}= on <{tag}>"
            assert name != "style", f"style= on <{tag}>"
            if name in URL_ATTRIBUTES:
                url = re.sub(r"[\x00-\x20]", "", html.unescape(value or "")).lower()
                assert not url.startswith(UNSAFE_SCHEMES), f"{name}={value!r}"
