"""django-csp's middleware with the Content-Security-Policy header built once per process
(settings.CONTENT_SECURITY_POLICY, config/headers.py; docs/security.md "Headers and caching").

kaisai's policy is the same for every answer: no nonce (no inline script or style anywhere)
and no view that changes it. django-csp builds the header anew for each response —
copying the settings' directives, merging them with the response's own and joining them,
the largest item of the outer middleware in a cached event page's profile — so this
middleware builds it once and sets that text.
A response that does change it (csp_update, csp_replace, csp_exempt and their report-only
kinds) and a request that used its nonce take django-csp's own way, as before. Settings
changed in tests (override_settings) rebuild the header.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as DjangoCSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest
from django.http.response import HttpResponseBase

# What a view or decorator sets on a response to change its policy (django-csp's decorators).
PER_RESPONSE = (
    "_csp_config",
    "_csp_update",
    "_csp_replace",
    "_csp_config_ro",
    "_csp_update_ro",
    "_csp_replace_ro",
)
# Answers django-csp leaves without the header when DEBUG (its debug pages).
DEBUG_EXEMPT = (404, 500)
SETTINGS = ("CONTENT_SECURITY_POLICY", "CONTENT_SECURITY_POLICY_REPORT_ONLY")


@dataclass(frozen=True)
class Header:
    name: str
    value: str  # "" when the policy is not set
    excluded: tuple[str, ...]  # the policy's EXCLUDE_URL_PREFIXES
    exempt_flag: str  # the response attribute of csp_exempt


def _header(name: str, setting: str, exempt_flag: str, *, report_only: bool) -> Header:
    policy = getattr(settings, setting, None) or {}
    prefixes = policy.get("EXCLUDE_URL_PREFIXES", None) or ()
    return Header(name, build_policy(report_only=report_only), tuple(prefixes), exempt_flag)


@cache
def headers() -> tuple[Header, Header]:
    """The policy and the report-only policy, as django-csp builds them (in this process:
    its directives' order follows a set's)."""
    return (
        _header(HEADER, "CONTENT_SECURITY_POLICY", "_csp_exempt", report_only=False),
        _header(
            HEADER_REPORT_ONLY,
            "CONTENT_SECURITY_POLICY_REPORT_ONLY",
            "_csp_exempt_ro",
            report_only=True,
        ),
    )


@receiver(setting_changed)
def _rebuild(setting: str, **_: Any) -> None:
    if setting in SETTINGS:
        headers.cache_clear()


class CSPMiddleware(DjangoCSPMiddleware):
    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if getattr(request, "_csp_nonce", None) is not None or any(
            hasattr(response, name) for name in PER_RESPONSE
        ):
            return super().process_response(request, response)
        if response.status_code in DEBUG_EXEMPT and settings.DEBUG:
            return response
        path = request.path_info
        for header in headers():
            if (
                header.value
                and header.name not in response
                and getattr(response, header.exempt_flag, False) is False
                and not path.startswith(header.excluded)
            ):
                response[header.name] = header.value
        # As django-csp: the nonce may not be asked for once the header is written.
        request.csp_nonce = CheckableLazyObject(  # type: ignore[attr-defined]
            self._csp_nonce_post_response
        )
        return response
