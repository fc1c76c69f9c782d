from django.apps import AppConfig


class SiteConfig(AppConfig):
    # Not "site" or "sites": django.contrib.sites owns that label.
    name = "kaisai.site"
    label = "kaisai_site"
