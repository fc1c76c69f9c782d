from django.urls import include, path

from kaisai.api.v1.api import api as api_v1

urlpatterns = [
    path("v1/", api_v1.urls),
    path("v2/", include("kaisai.api.v2.urls")),
]
