"""Tickets and attendance pages (being written)."""

from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404

ticket = _todo
ticket_by_token = _todo
ticket_qr = _todo
self_check_in = _todo
my_attendance = _todo
attendance = _todo
attendance_code = _todo
member_attendance = _todo
