import getpass
import os

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from kulvex.roles import ROLES, assign_role


class Command(BaseCommand):
    help = "Create a user with a role (admin, user or viewer), or change an existing user's role."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", choices=ROLES, default="user")
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--password",
            help="the password; otherwise KULVEX_PASSWORD from the environment, or asked for",
        )
        parser.add_argument("--update", action="store_true", help="change the role of an existing user")

    def handle(self, *args, username, role, email, password, update, **options):
        users = get_user_model()
        existing = users.objects.filter(username=username).first()
        if existing and not update:
            raise CommandError(f"User {username!r} exists; pass --update to change its role.")
        if existing is None:
            password = password or os.environ.get("KULVEX_PASSWORD") or self.ask_password()
            user = users(username=username, email=email)
            try:
                validate_password(password, user)
            except ValidationError as exc:
                raise CommandError("; ".join(exc.messages)) from None
            user.set_password(password)
        else:
            user = existing
        with transaction.atomic():
            user.save()
            assign_role(user, role)
        verb = "Updated" if existing else "Created"
        self.stdout.write(self.style.SUCCESS(f"{verb} {role} {username!r}."))

    def ask_password(self) -> str:
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            raise CommandError("The passwords differ.")
        return first
