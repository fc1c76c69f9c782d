from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from kaisai.core.selectors_mail import demo_mails

MAILS_PER_PAGE = 50


def demo_mailbox(request: HttpRequest) -> HttpResponse:
    """Without a mail server the demo shows what it would have sent: newest first, 50 a
    page, filtered by recipient (`?to=`)."""
    if not settings.DEMO_MAILBOX:
        raise Http404
    to = request.GET.get("to", "")[:254].strip()
    page = Paginator(demo_mails(to), MAILS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "kaisai/demo_mailbox.html", {"page": page, "to": to})
