from django.apps import AppConfig


class WorkerConfig(AppConfig):
    name = "huajie.worker"
    label = "worker"
    verbose_name = "后台任务"

    def ready(self) -> None:
        from huajie.worker import jobs  # noqa: F401  (registers the worker's job kinds)
