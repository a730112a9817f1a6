from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "huajie.api"
    label = "api"
    verbose_name = "接口"
