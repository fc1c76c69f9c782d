from django.urls import path

from kaisai.talks import views_timetable as views

urlpatterns = [
    path("events/<int:pk>/manage/timetable/", views.edit_timetable, name="timetable_edit"),
    path("events/<int:pk>/schedule.json", views.frab_json, name="frab_json"),
    path("events/<int:pk>/schedule.xml", views.frab_xml, name="frab_xml"),
    path("talks/<int:talk_id>/talk.ics", views.talk_ics, name="talk_ics"),
]
