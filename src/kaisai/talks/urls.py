"""Talks, timetable and materials. Each part has its own URL module (and views module)."""

from kaisai.talks.urls_materials import urlpatterns as materials
from kaisai.talks.urls_talks import urlpatterns as talks
from kaisai.talks.urls_timetable import urlpatterns as timetable

app_name = "talks"
urlpatterns = talks + timetable + materials
