from django.urls import path

from kaisai.accounts import views

app_name = "accounts"
urlpatterns = [
    path("user/<str:nickname>/", views.profile, name="profile"),
    path("settings/profile/", views.profile_settings, name="settings"),
    path("settings/tokens/", views.tokens, name="tokens"),
    path("settings/tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
]
