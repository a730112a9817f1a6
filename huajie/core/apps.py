from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "huajie.core"
    label = "core"
    verbose_name = "基础"
