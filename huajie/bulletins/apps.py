from django.apps import AppConfig


class BulletinsConfig(AppConfig):
    name = "huajie.bulletins"
    label = "bulletins"
    verbose_name = "双周通报"

    def ready(self) -> None:
        from huajie.bulletins import jobs  # noqa: F401  (registers the job kind and schedule)
