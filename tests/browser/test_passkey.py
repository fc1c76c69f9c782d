"""A passkey (WebAuthn) added from the settings and used as a second factor and to sign in, with
Chromium's virtual authenticator (DevTools protocol): allauth's scripts run from static files
in kaisai's layout."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator

from tests.factories import UserFactory

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"


def sign_in(page, url, nickname: str) -> None:
    page.goto(url("/accounts/login/"))
    page.fill("input[name=login]", nickname)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form:has(input[name=password]) button[type=submit]").first.click()
    page.wait_for_load_state()


def test_add_a_security_key_then_sign_in_with_it(page, context, url):
    person = UserFactory(nickname="keyholder")
    EmailAddress.objects.create(user=person, email=person.email, verified=True, primary=True)
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    sign_in(page, url, "keyholder")
    page.goto(url("/accounts/2fa/"))
    assert page.locator("nav.settings-nav [aria-current=page]").inner_text() == (
        "Two-factor authentication"
    )
    page.goto(url("/accounts/2fa/webauthn/add/"))
    if page.locator("input[name=password]").count():  # allauth asks for the password again
        page.fill("input[name=password]", PASSWORD)
        page.locator("main form button[type=submit]").first.click()
        page.wait_for_load_state()
    page.fill("input[name=name]", "Laptop")
    page.check("input[name=passwordless]")  # a passkey: it also signs in without a password
    page.click("#mfa_webauthn_add")
    page.wait_for_url("**/recovery-codes/**")
    assert Authenticator.objects.filter(user=person, type="webauthn").count() == 1

    page.locator("nav.main-nav").get_by_role("button", name="Log out").click()
    page.wait_for_load_state()
    sign_in(page, url, "keyholder")
    assert "/accounts/2fa/authenticate/" in page.url
    page.click("#mfa_webauthn_authenticate")
    page.wait_for_url(lambda address: "/2fa/" not in address)
    assert page.locator("nav.main-nav").get_by_role("button", name="Log out").is_visible()

    # and the passkey alone signs in from the login page
    page.locator("nav.main-nav").get_by_role("button", name="Log out").click()
    page.wait_for_load_state()
    page.goto(url("/accounts/login/"))
    page.click("#passkey_login")
    page.wait_for_url(lambda address: "/accounts/login/" not in address)
    assert page.locator("nav.main-nav").get_by_role("button", name="Log out").is_visible()
    assert errors == []
