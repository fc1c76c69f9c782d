from django.urls import path

from kaisai.notices import views_messages, views_settings

urlpatterns = [
    path("events/<int:pk>/manage/messages/", views_messages.messages, name="messages"),
    path(
        "events/<int:pk>/manage/messages/<int:message_id>/",
        views_messages.message_detail,
        name="message_detail",
    ),
    path("settings/mail/", views_settings.mail_settings, name="settings"),
    path("mail/unsubscribe/<str:token>/", views_settings.unsubscribe, name="unsubscribe"),
]
