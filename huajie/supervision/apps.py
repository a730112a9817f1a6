from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "huajie.supervision"
    label = "supervision"
    verbose_name = "督导"
