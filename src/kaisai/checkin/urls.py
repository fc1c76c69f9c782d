from django.urls import path

from kaisai.checkin import views_reception as reception
from kaisai.checkin import views_tickets as tickets

app_name = "checkin"
urlpatterns = [
    # Participants
    path("events/<int:pk>/ticket/", tickets.ticket, name="ticket"),
    path("t/<str:token>/", tickets.ticket_by_token, name="ticket_token"),
    path("events/<int:pk>/ticket/qr.svg", tickets.ticket_qr, name="ticket_qr"),
    path("events/<int:pk>/ticket/ticket.ics", tickets.ticket_ics, name="ticket_ics"),
    path("events/<int:pk>/attend/", tickets.self_check_in, name="self_check_in"),
    path("my/attendance/", tickets.my_attendance, name="my_attendance"),
    # Organizers
    path("events/<int:pk>/manage/attendance/", tickets.attendance, name="attendance"),
    path(
        "events/<int:pk>/manage/attendance-code/", tickets.attendance_code, name="attendance_code"
    ),
    path(
        "groups/<slug:slug>/members/<str:nickname>/attendance/",
        tickets.member_attendance,
        name="member_attendance",
    ),
    # Reception (organizers and the reception role)
    path("events/<int:pk>/reception/", reception.reception, name="reception"),
    path("events/<int:pk>/reception/scan/", reception.scan, name="scan"),
    path("events/<int:pk>/reception/search/", reception.search, name="search"),
    path("events/<int:pk>/reception/check-in/", reception.check_in, name="check_in"),
    path("events/<int:pk>/reception/undo/", reception.undo, name="undo"),
    path("events/<int:pk>/reception/counter/", reception.counter, name="counter"),
    path("events/<int:pk>/reception/standby/", reception.admit_standby, name="admit_standby"),
]
