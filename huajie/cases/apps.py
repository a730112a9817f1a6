from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "huajie.cases"
    label = "cases"
    verbose_name = "信访案件"
