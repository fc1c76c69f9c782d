"""Embeds of material links: the allow-list, computed iframes, oEmbed (HTTP mocked with respx:
the hosts are outside this machine), and the stored metadata."""

from __future__ import annotations

import httpx
import pytest
import respx

from kaisai.talks import embeds
from kaisai.talks.services.materials import refresh_metadata
from tests.talks.factories import MaterialFactory


@pytest.fixture
def http():
    """Every HTTP request must be mocked; an unmocked one fails the test."""
    with respx.mock(assert_all_called=False, assert_all_mocked=True) as router:
        yield router


@pytest.mark.parametrize(
    ("url", "embed_url"),
    [
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", "dQw4w9WgXcQ"),
        ("https://youtube.com/watch?feature=share&v=dQw4w9WgXcQ&t=42", "dQw4w9WgXcQ"),
        ("https://youtu.be/dQw4w9WgXcQ?si=abc", "dQw4w9WgXcQ"),
        ("https://m.youtube.com/watch?v=dQw4w9WgXcQ", "dQw4w9WgXcQ"),
        ("https://www.youtube.com/live/dQw4w9WgXcQ", "dQw4w9WgXcQ"),
        ("https://www.youtube.com/shorts/dQw4w9WgXcQ", "dQw4w9WgXcQ"),
    ],
)
def test_youtube_embed_is_computed_on_the_nocookie_host(url, embed_url):
    found = embeds.static_embed(url)
    assert found.provider == "YouTube"
    assert found.embed_url == f"https://www.youtube-nocookie.com/embed/{embed_url}"


def test_youtube_without_a_video_id_gets_no_embed():
    assert embeds.static_embed("https://www.youtube.com/@mlct").embed_url == ""
    assert embeds.static_embed("https://www.youtube.com/watch?v=short").embed_url == ""


def test_google_slides_embed_is_computed():
    url = "https://docs.google.com/presentation/d/1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789/edit#slide=id.p"
    found = embeds.static_embed(url)
    assert found.provider == "Google Slides"
    assert found.embed_url == (
        "https://docs.google.com/presentation/d/1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789/embed"
    )
    published = "https://docs.google.com/presentation/d/e/2PACX-1vQabcdefghijklmnop/pub?start=false"
    assert embeds.static_embed(published).embed_url == (
        "https://docs.google.com/presentation/d/e/2PACX-1vQabcdefghijklmnop/embed"
    )
    # Other Google documents are no slides: a plain link.
    assert (
        embeds.static_embed("https://docs.google.com/document/d/1AbCdEfGhIjKl/edit").embed_url == ""
    )


def test_docswell_embed_is_computed():
    found = embeds.static_embed("https://www.docswell.com/s/ku-suke/LK7J5V-hello-docswell")
    assert found.provider == "Docswell"
    assert found.embed_url == "https://www.docswell.com/slide/LK7J5V/embed"
    assert embeds.static_embed("https://docswell.com/s/someone/ZQ8VQ5").embed_url == (
        "https://www.docswell.com/slide/ZQ8VQ5/embed"
    )


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/slides.pdf",
        "https://speakerdeck.com.evil.example/x/y",
        "https://evil.example/?u=https://youtube.com/watch?v=dQw4w9WgXcQ",
        "https://notyoutube.com/watch?v=dQw4w9WgXcQ",
        "javascript:alert(1)//youtube.com",
        "ftp://speakerdeck.com/a/b",
    ],
)
def test_unknown_hosts_are_plain_links(url):
    assert embeds.provider_of(url) == ""
    assert embeds.static_embed(url) == embeds.Embed()
    assert not embeds.has_oembed(url)


def test_unknown_host_is_never_fetched(http):
    assert embeds.fetch_embed("https://intranet.local/secret") == embeds.Embed()
    assert not http.calls


@pytest.mark.parametrize(
    ("src", "allowed"),
    [
        ("https://speakerdeck.com/player/abc", True),
        ("https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ", True),
        ("https://www.youtube.com/embed/dQw4w9WgXcQ", False),  # only the no-cookie host
        ("http://speakerdeck.com/player/abc", False),
        ("https://evil.example/player", False),
        ("javascript:alert(1)", False),
        ("", False),
    ],
)
def test_is_allowed_embed(src, allowed):
    assert embeds.is_allowed_embed(src) is allowed


def test_iframe_src_keeps_only_an_allow_listed_src():
    html = '<iframe class="speakerdeck-iframe" src="//speakerdeck.com/player/abc123"></iframe>'
    assert embeds.iframe_src(html) == "https://speakerdeck.com/player/abc123"
    assert embeds.iframe_src('<iframe src="https://evil.example/x"></iframe>') == ""
    assert embeds.iframe_src('<script src="https://speakerdeck.com/x.js"></script>') == ""
    assert embeds.iframe_src("<iframe src='javascript:alert(1)'></iframe>") == ""
    assert embeds.iframe_src("not html <<<") == ""


def test_speakerdeck_oembed_gives_title_and_player(http):
    url = "https://speakerdeck.com/hiroshi/recsys-3-years"
    route = http.get("https://speakerdeck.com/oembed.json").mock(
        return_value=httpx.Response(
            200,
            json={
                "type": "rich",
                "title": "推薦モデルを毎日再学習して 3 年",
                "html": '<iframe class="speakerdeck-iframe" src="https://speakerdeck.com/player/'
                'f00dfeed" allowfullscreen="true"></iframe><script>alert(1)</script>',
                "thumbnail_url": "https://files.speakerdeck.com/presentations/f00d/slide_0.jpg",
            },
        )
    )
    found = embeds.fetch_embed(url)
    assert route.called
    request = route.calls.last.request
    assert request.url.params["url"] == url  # the link is a parameter, never fetched itself
    assert found == embeds.Embed(
        provider="Speaker Deck",
        embed_url="https://speakerdeck.com/player/f00dfeed",
        title="推薦モデルを毎日再学習して 3 年",
        thumbnail_url="https://files.speakerdeck.com/presentations/f00d/slide_0.jpg",
    )


def test_youtube_oembed_keeps_the_computed_nocookie_iframe(http):
    http.get("https://www.youtube.com/oembed").mock(
        return_value=httpx.Response(
            200,
            json={
                "title": "MLCT #4",
                "html": '<iframe src="https://www.youtube.com/embed/dQw4w9WgXcQ"></iframe>',
                "thumbnail_url": "https://i.ytimg.com/vi/dQw4w9WgXcQ/hqdefault.jpg",
            },
        )
    )
    found = embeds.fetch_embed("https://youtu.be/dQw4w9WgXcQ")
    assert found.embed_url == "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"
    assert found.title == "MLCT #4"
    assert found.thumbnail_url == "https://i.ytimg.com/vi/dQw4w9WgXcQ/hqdefault.jpg"


def test_slideshare_and_docswell_use_their_fixed_endpoints(http):
    slideshare = http.get("https://www.slideshare.net/api/oembed/2").mock(
        return_value=httpx.Response(
            200,
            json={
                "title": "Feature stores",
                "html": '<iframe src="https://www.slideshare.net/slideshow/embed_code/key/k3y">'
                "</iframe>",
                "thumbnail_url": "http://cdn.slidesharecdn.com/thumb.jpg",  # http: dropped
            },
        )
    )
    docswell = http.get("https://www.docswell.com/service/oembed").mock(
        return_value=httpx.Response(
            200, json={"title": "Drift", "html": '<iframe src="https://evil.example/"></iframe>'}
        )
    )
    found = embeds.fetch_embed("https://jp.slideshare.net/someone/feature-stores")
    assert slideshare.called
    assert found.embed_url == "https://www.slideshare.net/slideshow/embed_code/key/k3y"
    assert found.thumbnail_url == ""
    found = embeds.fetch_embed("https://www.docswell.com/s/someone/ABC123-drift")
    assert docswell.called
    assert found.title == "Drift"
    assert found.embed_url == "https://www.docswell.com/slide/ABC123/embed"  # computed wins


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(404),
        httpx.Response(200, text="not json"),
        httpx.Response(200, json=["a list"]),
        httpx.Response(200, content=b"{" + b" " * (embeds.MAX_OEMBED_BYTES + 1) + b"}"),
    ],
)
def test_bad_oembed_answers_leave_what_is_known_without_network(http, response):
    http.get("https://www.youtube.com/oembed").mock(return_value=response)
    found = embeds.fetch_embed("https://www.youtube.com/watch?v=dQw4w9WgXcQ")
    assert found == embeds.static_embed("https://www.youtube.com/watch?v=dQw4w9WgXcQ")


def test_network_errors_and_timeouts_are_harmless(http):
    http.get("https://speakerdeck.com/oembed.json").mock(side_effect=httpx.ConnectTimeout("slow"))
    found = embeds.fetch_embed("https://speakerdeck.com/a/b")
    assert found == embeds.Embed(provider="Speaker Deck")


def test_refresh_metadata_stores_title_thumbnail_and_player(db, http):
    material = MaterialFactory(url="https://speakerdeck.com/someone/drift", title="", embed_url="")
    http.get("https://speakerdeck.com/oembed.json").mock(
        return_value=httpx.Response(
            200,
            json={
                "title": "Data drift",
                "html": '<iframe src="https://speakerdeck.com/player/d1"></iframe>',
                "thumbnail_url": "https://files.speakerdeck.com/d1.jpg",
            },
        )
    )
    assert refresh_metadata(material_id=material.pk) is True
    material.refresh_from_db()
    assert (material.title, material.embed_url, material.thumbnail_url, material.provider) == (
        "Data drift",
        "https://speakerdeck.com/player/d1",
        "https://files.speakerdeck.com/d1.jpg",
        "Speaker Deck",
    )
    # Run again: nothing new.
    assert refresh_metadata(material_id=material.pk) is False


def test_refresh_metadata_keeps_the_title_the_adder_gave(db, http):
    material = MaterialFactory(url="https://speakerdeck.com/someone/x", title="My own title")
    http.get("https://speakerdeck.com/oembed.json").mock(
        return_value=httpx.Response(200, json={"title": "Host title"})
    )
    refresh_metadata(material_id=material.pk)
    material.refresh_from_db()
    assert material.title == "My own title"
    assert material.provider == "Speaker Deck"


def test_refresh_metadata_fetches_nothing_for_unknown_hosts_or_missing_rows(db, http):
    material = MaterialFactory(url="https://blog.example.com/post")
    assert refresh_metadata(material_id=material.pk) is False
    assert refresh_metadata(material_id=999999) is False
    assert not http.calls
