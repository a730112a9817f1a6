from django.apps import AppConfig


class BulletinsConfig(AppConfig):
    name = "huajie.bulletins"
    label = "bulletins"
    verbose_name = "双周通报"
