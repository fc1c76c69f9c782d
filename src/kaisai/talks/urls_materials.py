from django.urls import path

from kaisai.talks import views_materials as views

urlpatterns = [
    path("events/<int:pk>/materials/", views.materials, name="materials"),
    path("events/<int:pk>/materials/add/", views.add, name="material_add"),
    path("materials/<int:material_id>/delete/", views.delete, name="material_delete"),
]
