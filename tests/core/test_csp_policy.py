"""The Content-Security-Policy built once per process gives every answer the header
django-csp's own middleware gives it (kaisai.core.csp_policy)."""

from __future__ import annotations

import pytest
from csp.constants import HEADER, HEADER_REPORT_ONLY, NONCE, SELF
from csp.decorators import csp_exempt, csp_replace, csp_update
from csp.exceptions import CSPNonceError
from csp.middleware import CSPMiddleware as DjangoCSPMiddleware
from django.conf import settings
from django.http import HttpResponse, HttpResponseNotFound
from django.test import RequestFactory, override_settings

from kaisai.core import csp_policy
from kaisai.core.csp_policy import CSPMiddleware

HEADERS = (HEADER, HEADER_REPORT_ONLY)
REPORT_ONLY = {"DIRECTIVES": {"default-src": [SELF], "report-uri": "/csp-report"}}
WITH_NONCE = {"DIRECTIVES": {"default-src": [SELF], "script-src": [SELF, NONCE]}}


def plain(request):
    return HttpResponse("page")


def answer(middleware_class, view=plain, path="/events/1/", use_nonce=False):
    request = RequestFactory().get(path)
    middleware = middleware_class(view)
    middleware.process_request(request)
    nonce = str(request.csp_nonce) if use_nonce else None
    response = middleware.process_response(request, view(request))
    return request, {name: response.get(name) for name in HEADERS}, nonce


def same_as_django_csp(**options) -> dict[str, str | None]:
    _, ours, _ = answer(CSPMiddleware, **options)
    _, theirs, _ = answer(DjangoCSPMiddleware, **options)
    assert ours == theirs
    return ours


def test_the_header_is_django_csps_own():
    headers = same_as_django_csp()
    assert "frame-ancestors 'none'" in headers[HEADER]
    assert headers[HEADER_REPORT_ONLY] is None


def test_the_header_follows_changed_settings():
    before = same_as_django_csp()[HEADER]
    with override_settings(CONTENT_SECURITY_POLICY={"DIRECTIVES": {"default-src": [SELF]}}):
        assert same_as_django_csp()[HEADER] == "default-src 'self'"
    with override_settings(CONTENT_SECURITY_POLICY_REPORT_ONLY=REPORT_ONLY):
        assert same_as_django_csp()[HEADER_REPORT_ONLY].startswith("default-src 'self'")
    assert same_as_django_csp()[HEADER] == before


@pytest.mark.parametrize(
    "decorator",
    [
        csp_update({"img-src": ["https://images.example"]}),
        csp_replace({"frame-src": ["https://video.example"]}),
        csp_exempt(),
        csp_update({"img-src": ["https://images.example"]}, REPORT_ONLY=True),
        csp_exempt(REPORT_ONLY=True),
    ],
)
def test_a_view_that_changes_its_policy_gets_it_changed(decorator):
    with override_settings(CONTENT_SECURITY_POLICY_REPORT_ONLY=REPORT_ONLY):
        assert same_as_django_csp(view=decorator(plain)) != same_as_django_csp()


def test_a_nonce_used_is_in_the_header():
    with override_settings(CONTENT_SECURITY_POLICY=WITH_NONCE):
        request, headers, nonce = answer(CSPMiddleware, use_nonce=True)
    assert f"'nonce-{nonce}'" in headers[HEADER]


def test_the_nonce_may_not_be_asked_for_after_the_header():
    request, _, _ = answer(CSPMiddleware)
    with pytest.raises(CSPNonceError):
        str(request.csp_nonce)


def test_excluded_prefixes_and_debug_pages_have_no_header():
    policy = {**settings.CONTENT_SECURITY_POLICY, "EXCLUDE_URL_PREFIXES": ["/admin/"]}
    with override_settings(CONTENT_SECURITY_POLICY=policy):
        assert same_as_django_csp(path="/admin/x")[HEADER] is None
        assert same_as_django_csp(path="/events/1/")[HEADER] is not None
    with override_settings(DEBUG=True):
        missing = same_as_django_csp(view=lambda request: HttpResponseNotFound("no"))
        assert missing[HEADER] is None


def test_the_header_is_built_once():
    csp_policy.headers.cache_clear()
    for _ in range(3):
        same_as_django_csp()
    assert csp_policy.headers.cache_info().misses == 1


@pytest.mark.django_db
def test_every_page_answers_with_it(client):
    response = client.get("/")
    assert response[HEADER] == csp_policy.headers()[0].value
