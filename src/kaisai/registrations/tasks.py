from django_tasks import task

from kaisai.registrations.models import Frame
from kaisai.registrations.services import draw_lottery


@task()
def draw_lottery_task(frame_id: int) -> bool:
    """Draw at the lottery time; a no-op if the time moved later or it was drawn already."""
    frame = Frame.objects.filter(pk=frame_id).first()
    if frame is None:
        return False
    return draw_lottery(frame=frame).is_drawn
