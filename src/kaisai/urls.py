from django.conf import settings
from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from django.views.static import serve

from kaisai.accounts import urls as accounts_urls
from kaisai.core import views as core_views
from kaisai.core import views_health
from kaisai.events import urls as events_urls
from kaisai.events import urls_feeds
from kaisai.groups import urls as groups_urls
from kaisai.registrations import urls as registrations_urls
from kaisai.site import urls as site_urls
from kaisai.site import views_language


class FaviconRedirect(RedirectView):
    """/favicon.ico → the static icon (resolved per request: the manifest of hashed static
    names exists only after collectstatic)."""

    permanent = True

    def get_redirect_url(self, *args, **kwargs) -> str:
        return static("kaisai/favicon.ico")


def _namespace(name: str, *patterns: list) -> tuple[list, str]:
    """One namespace made of several apps' patterns (the site's pages belong to the namespace
    of the app they show), so that URL names stay `events:detail`, `groups:detail`, …"""
    return [pattern for group in patterns for pattern in group], name


urlpatterns = [
    # Browsers ask for /favicon.ico whatever the page says: the static file answers.
    path("favicon.ico", FaviconRedirect.as_view()),
    path("healthz", views_health.healthz, name="healthz"),
    path("readyz", views_health.readyz, name="readyz"),
    path("metrics", views_health.prometheus, name="metrics"),
    *site_urls.home_patterns,
    path("i18n/setlang/", views_language.switch_language, name="set_language"),
    path("accounts/", include("allauth.urls")),
    path(
        "", include(_namespace("accounts", accounts_urls.urlpatterns, site_urls.account_patterns))
    ),
    path(
        "groups/",
        include(
            _namespace(
                "groups",
                groups_urls.urlpatterns,
                site_urls.group_patterns,
                urls_feeds.group_patterns,
            )
        ),
    ),
    path(
        "events/", include(_namespace("events", events_urls.urlpatterns, site_urls.event_patterns))
    ),
    path("", include(_namespace("feeds", urls_feeds.urlpatterns, site_urls.feed_patterns))),
    path(
        "",
        include(
            _namespace(
                "registrations", registrations_urls.urlpatterns, site_urls.registration_patterns
            )
        ),
    ),
    path("", include("kaisai.checkin.urls")),
    path("", include("kaisai.talks.urls")),
    path("", include(_namespace("recaps", site_urls.recap_patterns))),
    path("", include("kaisai.notices.urls")),
    path("", include("kaisai.surveys.urls")),
    path("api/", include("kaisai.api.urls")),
    # connpass's shape of an event's address (`/event/ID/`): the `url` of API v2's events, so
    # that clients which read the id out of it with connpass's pattern keep working.
    path(
        "event/<int:pk>/",
        RedirectView.as_view(pattern_name="events:detail", permanent=True, query_string=True),
        name="event_permalink",
    ),
    path("demo-mail/", core_views.demo_mailbox, name="demo_mailbox"),
    path("admin/", admin.site.urls),
]

if settings.SERVE_MEDIA:
    urlpatterns += [
        re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
    ]
