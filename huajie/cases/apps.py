from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "huajie.cases"
    label = "cases"
    verbose_name = "信访案件"

    def ready(self) -> None:
        from huajie.cases import jobs  # noqa: F401  (registers the daily tick job and schedule)
