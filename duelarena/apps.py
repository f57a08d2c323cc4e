from django.apps import AppConfig


class DuelArenaConfig(AppConfig):
    name = "duelarena"
    verbose_name = "Duel Arena"
