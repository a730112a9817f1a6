from django.apps import AppConfig


class CourtsConfig(AppConfig):
    name = "huajie.courts"
    label = "courts"
    verbose_name = "法院"
