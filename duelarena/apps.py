from django.apps import AppConfig


class DuelArenaConfig(AppConfig):
    name = "duelarena"
    verbose_name = "Duel Arena"

    def ready(self) -> None:
        from duelarena import checks  # noqa: F401 - registers the system checks
