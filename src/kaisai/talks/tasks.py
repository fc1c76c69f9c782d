"""Background tasks of talks: thin, they load by id and call a service."""

from django_tasks import task

from kaisai.talks.services.materials import refresh_metadata


@task()
def fetch_material_metadata(material_id: int) -> bool:
    """Fetch a material's title, thumbnail and embed from its host's oEmbed endpoint."""
    return refresh_metadata(material_id=material_id)
