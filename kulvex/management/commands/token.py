from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from kulvex.tokens import issue_tokens


class Command(BaseCommand):
    help = "Print a fresh access token for USERNAME (for scripts and Socket.IO clients)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--refresh", action="store_true", help="print the refresh token too")

    def handle(self, *args, username, refresh, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}.")
        if not user.is_active:
            raise CommandError(f"User {username!r} is deactivated.")
        tokens = issue_tokens(user)
        self.stdout.write(tokens["access_token"])
        if refresh:
            self.stdout.write(tokens["refresh_token"])
