from django.urls import path

from kaisai.notices import views_reminders as views

urlpatterns = [
    path("mail/cancel/<str:token>/", views.cancel_link, name="cancel_link"),
    path("mail/reconfirm/<str:token>/", views.reconfirm_link, name="reconfirm_link"),
    path("events/<int:pk>/manage/mail-settings/", views.event_settings, name="event_settings"),
    path("events/<int:pk>/manage/reconfirmation/", views.reconfirmation, name="reconfirmation"),
]
