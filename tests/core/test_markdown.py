from html.parser import HTMLParser

import pytest

from kaisai.core.markdown import render_markdown, sanitize_html


class _Elements(HTMLParser):
    """Collects the real elements and attributes of an HTML fragment (text does not count)."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend((name, value or "") for name, value in attrs)


def elements(html: str) -> _Elements:
    parser = _Elements()
    parser.feed(html)
    return parser


def assert_harmless(html: str) -> None:
    found = elements(html)
    assert not {"script", "iframe", "object", "embed", "style"} & set(found.tags)
    for name, value in found.attrs:
        assert not name.startswith("on"), (name, value)
        assert not value.strip().lower().startswith(("javascript:", "data:", "vbscript:"))


def test_markdown_renders_emphasis_and_links():
    html = render_markdown("**bold** [site](https://example.com)")
    assert "<strong>bold</strong>" in html
    assert 'href="https://example.com"' in html
    assert "noopener" in html


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        '<img src="x" onerror="alert(1)">',
        "[click](javascript:alert(1))",
        "[click](data:text/html;base64,PHNjcmlwdD4=)",
        "![x](data:image/svg+xml;base64,PHN2Zz4=)",
        '<a href="javascript:alert(1)">x</a>',
        "<iframe src=https://evil.example></iframe>",
    ],
)
def test_markdown_removes_script(source):
    assert_harmless(render_markdown(source))


@pytest.mark.parametrize(
    "html",
    [
        '<a href="javascript:alert(1)" onclick="x()">x</a>',
        '<img src="data:image/png;base64,AAAA" onerror="x()">',
        "<script>alert(1)</script><p>ok</p>",
        '<p style="x" onmouseover="x()">hi</p>',
    ],
)
def test_sanitizer_removes_script_even_from_raw_html(html):
    assert_harmless(sanitize_html(html))


def test_harmless_check_can_fail():
    with pytest.raises(AssertionError):
        assert_harmless('<a href="javascript:alert(1)">x</a>')


def test_markdown_keeps_japanese_text():
    assert "機械学習" in render_markdown("# 機械学習の勉強会")


def test_markdown_of_nothing_is_empty():
    assert render_markdown("") == ""
    assert render_markdown(None) == ""


def test_the_same_text_is_rendered_once_and_long_texts_are_not_kept():
    from kaisai.core import markdown

    markdown._render_cached.cache_clear()
    text = "**Same** description <script>alert(1)</script>"
    first = markdown.render_markdown(text)
    again = markdown.render_markdown(text)
    assert first == again and "<script>" not in again
    assert markdown._render_cached.cache_info().hits == 1
    long_text = "x" * (markdown.CACHED_TEXT_LENGTH + 1)
    assert markdown.render_markdown(long_text).startswith("<p>x")
    assert markdown._render_cached.cache_info().currsize == 1
