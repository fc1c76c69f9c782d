from django.urls import path

from kaisai.accounts import views

# The profile page (user/<nickname>/) is the site's, composed into this namespace by
# kaisai/urls.py (kaisai.site.urls.account_patterns).
app_name = "accounts"
urlpatterns = [
    path("settings/profile/", views.profile_settings, name="settings"),
    path("settings/tokens/", views.tokens, name="tokens"),
    path("settings/tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
]
