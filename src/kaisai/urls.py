from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

from kaisai.core import views as core_views
from kaisai.site import views as site_views

urlpatterns = [
    path("", site_views.home, name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("allauth.urls")),
    path("", include("kaisai.accounts.urls")),
    path("groups/", include("kaisai.groups.urls")),
    path("events/", include("kaisai.events.urls")),
    path("", include("kaisai.events.urls_feeds")),
    path("", include("kaisai.registrations.urls")),
    path("", include("kaisai.checkin.urls")),
    path("", include("kaisai.talks.urls")),
    path("", include("kaisai.notices.urls")),
    path("api/", include("kaisai.api.urls")),
    path("demo-mail/", core_views.demo_mailbox, name="demo_mailbox"),
    path("admin/", admin.site.urls),
]

if settings.SERVE_MEDIA:
    urlpatterns += [
        re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
    ]
