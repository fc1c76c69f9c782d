from django_tasks import task

from kaisai.core import outbox


@task()
def deliver_mail(mail_id: int) -> bool:
    return outbox.deliver(mail_id)
