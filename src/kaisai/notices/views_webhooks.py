"""A group's webhooks: list with recent deliveries, add (the secret is shown once), delete."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kaisai.groups.access import managed_group_or_403
from kaisai.groups.enums import Action
from kaisai.groups.services_log import log_action
from kaisai.notices.forms_webhooks import WebhookForm
from kaisai.notices.models import Webhook
from kaisai.notices.selectors_webhooks import webhooks_with_recent_deliveries
from kaisai.notices.services.webhooks import WebhookError, create_webhook, delete_webhook


@login_required
def webhooks(request: HttpRequest, slug: str) -> HttpResponse:
    """GET: the list and the form. POST: add a webhook; the page shows its secret once."""
    group = managed_group_or_403(request.user, slug)
    form = WebhookForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            created = create_webhook(group=group, url=form.cleaned_data["url"])
        except WebhookError as error:
            form.add_error("url", str(error))
        else:
            log_action(
                group=group,
                actor=request.user,
                action=Action.WEBHOOK_CHANGED,
                created=created.pk,
                host=urlsplit(created.url).hostname,
            )
            form = WebhookForm()
    context = {
        "group": group,
        "form": form,
        "created": created,
        "webhooks": webhooks_with_recent_deliveries(group),
    }
    return render(request, "notices/webhooks.html", context)


@login_required
@require_POST
def delete(request: HttpRequest, slug: str, webhook_id: int) -> HttpResponse:
    group = managed_group_or_403(request.user, slug)
    webhook = get_object_or_404(Webhook, pk=webhook_id, group=group)
    delete_webhook(webhook=webhook)
    log_action(
        group=group,
        actor=request.user,
        action=Action.WEBHOOK_CHANGED,
        deleted=webhook_id,
        host=urlsplit(webhook.url).hostname,
    )
    flash.success(request, _("The webhook was deleted."))
    return redirect("notices:webhooks", slug=group.slug)
