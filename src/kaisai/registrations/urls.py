from django.urls import path

from kaisai.registrations import views

app_name = "registrations"
urlpatterns = [
    path("events/<int:pk>/registration/", views.my_registration, name="mine"),
]
