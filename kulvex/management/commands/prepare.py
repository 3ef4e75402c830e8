from django.apps import apps
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Prepare what the embedded defaults need: assemble and verify bundled models, check "
        "espeak-ng and vosk. Safe to run again; finished steps are skipped."
    )

    def handle(self, *args, **options):
        failures = []
        for config in apps.get_app_configs():
            prepare = getattr(config, "prepare", None)
            if prepare is None:
                continue
            try:
                prepare(self.stdout, self.style)
            except Exception as exc:  # one engine failing must not hide the others' state
                failures.append(f"{config.label}: {exc}")
                self.stderr.write(self.style.ERROR(f"{config.label}: {exc}"))
        if failures:
            raise CommandError("Some parts are not ready:\n  " + "\n  ".join(failures))
        self.stdout.write(self.style.SUCCESS("Everything is prepared."))
