"""kaisai token create [--create] [--name NAME] NICKNAME...

Prints "NICKNAME TOKEN" per line: one new personal API token per person. Without --create
every nickname must exist; with --create missing accounts are made first (no usable
password, e-mail NICKNAME@example.invalid), in bulk, so load tests can have thousands.
Either everything is created or, on any error, nothing.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from kaisai.accounts import services
from kaisai.accounts.models import User


class Command(BaseCommand):
    help = "Create personal API tokens and print them (NICKNAME TOKEN per line)."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        create = actions.add_parser(
            "create",
            help="Create one token for each nickname.",
            description="Create one token for each nickname and print NICKNAME TOKEN per line.",
        )
        create.add_argument("nicknames", nargs="+", metavar="NICKNAME")
        create.add_argument(
            "--create",
            action="store_true",
            dest="create_users",
            help="Create the accounts that do not exist yet (without a usable password).",
        )
        create.add_argument("--name", default="kaisai token", help="The tokens' name.")

    def handle(self, *args, **options):
        nicknames = list(dict.fromkeys(options["nicknames"]))
        with transaction.atomic():
            found = User.objects.in_bulk(nicknames, field_name="nickname")
            missing = [nickname for nickname in nicknames if nickname not in found]
            if missing and not options["create_users"]:
                raise CommandError(
                    "No such user: "
                    + ", ".join(missing)
                    + " (use --create to create them). Nothing was created."
                )
            if missing:
                try:
                    created = services.create_users_without_password(nicknames=missing)
                except ValidationError as error:
                    raise CommandError(
                        "; ".join(error.messages) + ". Nothing was created."
                    ) from error
                found.update({user.nickname: user for user in created})
            pairs = services.create_api_tokens(
                users=[found[nickname] for nickname in nicknames], name=options["name"]
            )
        lines = [f"{token.user.nickname} {key}" for token, key in pairs]
        self.stdout.write("\n".join(lines))
