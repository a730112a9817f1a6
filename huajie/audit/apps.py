from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "huajie.audit"
    label = "audit"
    verbose_name = "审计"
