from django.urls import path

from kaisai.accounts import views

app_name = "accounts"
urlpatterns = [
    path("user/<str:nickname>/", views.profile, name="profile"),
]
