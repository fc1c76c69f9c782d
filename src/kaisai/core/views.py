from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from kaisai.core.models import DemoMail


def demo_mailbox(request: HttpRequest) -> HttpResponse:
    """Without a mail server the demo shows what it would have sent."""
    if not settings.DEMO_MAILBOX:
        raise Http404
    mails = DemoMail.objects.all()[:100]
    return render(request, "kaisai/demo_mailbox.html", {"mails": mails})
