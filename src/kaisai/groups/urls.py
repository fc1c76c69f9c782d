from django.urls import path

from kaisai.groups import views, views_security, views_team

# The list, the group page and its feeds are composed into this namespace by kaisai/urls.py
# (kaisai.site.urls.group_patterns, kaisai.events.urls_feeds.group_patterns).
app_name = "groups"
urlpatterns = [
    path("new/", views.group_create, name="create"),
    path("<slug:slug>/edit/", views.group_edit, name="edit"),
    path("<slug:slug>/follow/", views.follow, name="follow"),
    path("<slug:slug>/unfollow/", views.unfollow, name="unfollow"),
    path("<slug:slug>/members/", views.members, name="members"),
    path("<slug:slug>/members/listing/", views.member_listing, name="member_listing"),
    path("<slug:slug>/organizers/", views_team.organizers, name="organizers"),
    path(
        "<slug:slug>/organizers/<int:pk>/role/",
        views_team.organizer_role,
        name="organizer_role",
    ),
    path(
        "<slug:slug>/organizers/<int:pk>/remove/",
        views_team.organizer_remove,
        name="organizer_remove",
    ),
    path("<slug:slug>/organizers/invite/", views_team.invitation_create, name="invitation_create"),
    path(
        "<slug:slug>/organizers/invite/<int:pk>/revoke/",
        views_team.invitation_revoke,
        name="invitation_revoke",
    ),
    path(
        "<slug:slug>/organizers/request/",
        views_team.request_organize,
        name="request_organize",
    ),
    path(
        "<slug:slug>/organizers/requests/<int:pk>/decide/",
        views_team.request_decide,
        name="request_decide",
    ),
    path("<slug:slug>/log/", views_security.action_log, name="action_log"),
    path("<slug:slug>/require-mfa/", views_security.require_mfa, name="require_mfa"),
    path("<slug:slug>/join/<str:token>/", views_team.invitation_accept, name="invitation_accept"),
]
