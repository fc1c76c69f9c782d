from django.urls import path

from kaisai.talks import views_talks as views

urlpatterns = [
    path("events/<int:pk>/manage/talks/", views.manage, name="manage"),
    path("events/<int:pk>/manage/talks/new/", views.create, name="create"),
    path("talks/<int:talk_id>/", views.detail, name="detail"),
    path("talks/<int:talk_id>/edit/", views.edit, name="edit"),
    path("talks/<int:talk_id>/decide/", views.decide, name="decide"),
    path("talks/<int:talk_id>/withdraw/", views.withdraw, name="withdraw"),
    path("talks/invitation/<str:token>/", views.invitation, name="invitation"),
]
