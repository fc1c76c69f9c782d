from django.urls import path

from kaisai.notices import views_webhooks as views

urlpatterns = [
    path("groups/<slug:slug>/manage/webhooks/", views.webhooks, name="webhooks"),
    path(
        "groups/<slug:slug>/manage/webhooks/<int:webhook_id>/delete/",
        views.delete,
        name="webhook_delete",
    ),
]
