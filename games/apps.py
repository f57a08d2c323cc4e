from django.apps import AppConfig


class GamesConfig(AppConfig):
    name = "games"
    verbose_name = "Games"

    def ready(self) -> None:
        # Wire the service's scheduling port to the configured task backend (no I/O here: the backend
        # builds its clients and threads on first use).
        from django.conf import settings

        from games import engine, scheduling, tasks

        scheduling.set_backend(tasks.enqueue)
        engine.configure(getattr(settings, "STOCKFISH_PATH", ""))
