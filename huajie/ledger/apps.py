from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "huajie.ledger"
    label = "ledger"
    verbose_name = "任务台账"

    def ready(self) -> None:
        from huajie.ledger import jobs  # noqa: F401  (registers the ledger.import job kind)
