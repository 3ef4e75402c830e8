import uvicorn
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Serve KULVEX (REST, dashboard and Socket.IO) with uvicorn."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=settings.HOST, help="bind address (KULVEX_HOST)")
        parser.add_argument("--port", type=int, default=settings.PORT, help="port (KULVEX_PORT)")
        parser.add_argument("--workers", type=int, default=settings.WORKERS, help="processes (KULVEX_WORKERS)")
        parser.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])

    def handle(self, *args, host, port, workers, log_level, **options):
        if workers > 1 and not settings.REDIS_URL:
            raise CommandError("Several workers need REDIS_URL: Socket.IO rooms and streams are shared through Redis.")
        shown = f"[{host}]" if ":" in host else host
        self.stdout.write(self.style.SUCCESS(f"KULVEX listening on http://{shown}:{port}/"))
        if not get_user_model().objects.exists():
            self.stdout.write("No users yet: create one with `manage.py createuser NAME --role admin`.")
        self.stdout.flush()
        uvicorn.run(
            "kulvex.asgi:application",
            host=host,
            port=port,
            workers=workers,
            log_level=log_level,
            lifespan="on",
            timeout_graceful_shutdown=10,
        )
