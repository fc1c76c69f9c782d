"""The harness itself: Chromium opens the live site's home page with its stylesheet."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_home_page_renders_with_stylesheet(page, url):
    response = page.goto(url("/"))
    assert response is not None and response.ok
    assert page.locator("h1").count() == 1
    assert page.locator("html").get_attribute("lang") == "en"
    # The stylesheet is served (static files of the live server) and applied.
    brand_colour = page.locator("a.brand").evaluate("el => getComputedStyle(el).color")
    assert brand_colour == "rgb(179, 38, 30)"
