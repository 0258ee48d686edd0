from django.apps import AppConfig


class RemindersConfig(AppConfig):
    name = "diary.reminders"
    label = "reminders"
    verbose_name = "Supplement reminders"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from diary.reminders import checks, signals  # noqa: F401  (registers receivers and checks)
