from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "huajie.cases"
    label = "cases"
    verbose_name = "信访案件"

    def ready(self) -> None:
        from huajie.cases import jobs, tally  # noqa: F401  (register jobs, schedules, signals)
