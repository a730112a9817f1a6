from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "huajie.supervision"
    label = "supervision"
    verbose_name = "督导"

    def ready(self) -> None:
        from huajie.supervision import jobs  # noqa: F401  (registers the month-end job)
