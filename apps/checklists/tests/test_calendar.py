"""The hand-written parts of RFC 5545: escaping and line folding."""

from hypothesis import given
from hypothesis import strategies as st

from apps.checklists.calendar import escape_text, fold


def test_escape_text():
    assert escape_text("a,b;c\\d\ne\r\nf") == "a\\,b\\;c\\\\d\\ne\\nf"


def test_short_lines_are_not_folded():
    line = "SUMMARY:" + "x" * 67
    assert fold(line) == line


def test_long_lines_fold_at_75_octets_with_a_leading_space():
    folded = fold("DESCRIPTION:" + "y" * 200)
    lines = folded.split("\r\n")
    assert len(lines[0]) == 75
    assert all(line.startswith(" ") for line in lines[1:])
    assert all(len(line.encode()) <= 75 for line in lines)


def test_folding_never_splits_a_character():
    folded = fold("SUMMARY:" + "é" * 100)
    for line in folded.split("\r\n"):
        assert len(line.encode()) <= 75
        line.encode().decode()  # whole characters on every line


@given(st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cc"]), max_size=400))
def test_unfolding_gives_back_the_line(text):
    line = "DESCRIPTION:" + text
    folded = fold(line)
    assert folded.replace("\r\n ", "") == line
    assert all(len(part.encode()) <= 75 for part in folded.split("\r\n"))
