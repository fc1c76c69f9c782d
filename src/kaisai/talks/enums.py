from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class TalkKind(models.TextChoices):
    TALK = "talk", _("Talk")
    LT = "lt", _("Lightning talk")
    KEYNOTE = "keynote", _("Keynote")


class TalkState(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    ACCEPTED = "accepted", pgettext_lazy("talk state", "Accepted")
    REJECTED = "rejected", pgettext_lazy("talk state", "Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class TalkLanguage(models.TextChoices):
    JA = "ja", _("Japanese")
    EN = "en", _("English")
    OTHER = "other", _("Other")


class EntryKind(models.TextChoices):
    """What a timetable row is: a talk, or one of the evening's fixed points."""

    TALK = "talk", _("Talk")
    DOORS = "doors", _("Doors open")
    BREAK = "break", _("Break")
    AFTERPARTY = "afterparty", _("After-party")
    OTHER = "other", _("Other")


class MaterialKind(models.TextChoices):
    SLIDE = "slide", _("Slides")
    MOVIE = "movie", _("Video")
    BLOG = "blog", _("Blog post")
    OTHER = "other", _("Other")
