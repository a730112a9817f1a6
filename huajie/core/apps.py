from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "huajie.core"
    label = "core"
    verbose_name = "基础"

    def ready(self) -> None:
        from huajie.core import lookups  # noqa: F401  (registers `__any_of`)
