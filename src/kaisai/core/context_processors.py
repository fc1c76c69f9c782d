from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict:
    return {
        "BASE_URL": settings.BASE_URL,
        "DEMO_MAILBOX": settings.DEMO_MAILBOX,
    }
