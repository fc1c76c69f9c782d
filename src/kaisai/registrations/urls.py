from django.urls import path

from kaisai.registrations import views_organizer as org
from kaisai.registrations import views_participant as part
from kaisai.registrations import views_participants as plist

app_name = "registrations"
urlpatterns = [
    # Participants
    path("events/<int:pk>/register/", part.register, name="register"),
    path("events/<int:pk>/registration/", part.my_registration, name="mine"),
    path("events/<int:pk>/registration/cancel/", part.cancel, name="cancel"),
    path("events/<int:pk>/registration/standby/", part.standby, name="standby"),
    path("events/<int:pk>/registration/change-frame/", part.change_frame, name="change_frame"),
    path("events/<int:pk>/registration/propose-talk/", part.propose_talk, name="propose_talk"),
    path("events/<int:pk>/frames/<int:frame_id>/lottery/", part.lottery, name="lottery"),
    path("my/events/", part.my_events, name="my_events"),
    path("events/<int:pk>/participants/", plist.participants, name="participants"),
    path("events/<int:pk>/registration/listing/", plist.listing, name="listing"),
    # Organizers
    path("events/<int:pk>/manage/frames/", org.frames, name="frames"),
    path("events/<int:pk>/manage/frames/<int:frame_id>/edit/", org.frame_edit, name="frame_edit"),
    path("events/<int:pk>/manage/questions/", org.questions, name="questions"),
    path(
        "events/<int:pk>/manage/questions/<int:question_id>/delete/",
        org.question_delete,
        name="question_delete",
    ),
    path("events/<int:pk>/manage/registrations/", org.registrations, name="registrations"),
    path(
        "events/<int:pk>/manage/registrations/<int:registration_id>/",
        org.registration_detail,
        name="registration_detail",
    ),
    path(
        "events/<int:pk>/manage/registrations/<int:registration_id>/action/",
        org.registration_action,
        name="registration_action",
    ),
    path(
        "events/<int:pk>/manage/registrations/<int:registration_id>/note/",
        org.registration_note,
        name="registration_note",
    ),
    path("events/<int:pk>/manage/registrations.csv", org.registrations_csv, name="csv"),
    path("events/<int:pk>/manage/log/", org.audit_log, name="audit_log"),
]
