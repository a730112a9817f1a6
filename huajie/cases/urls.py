from django.urls import path

from huajie.cases import views

app_name = "cases"

urlpatterns = [
    path("workbench/", views.workbench_view, name="workbench"),
    path("cases/", views.case_list, name="list"),
    path("cases/export.xlsx", views.case_list_export, name="export"),
    path("cases/new-petition/", views.new_petition, name="new_petition"),
    path("cases/<int:case_id>/", views.case_detail, name="detail"),
    path("cases/<int:case_id>/actions/<slug:name>/", views.case_action, name="action"),
    path("cases/<int:case_id>/reveal/", views.reveal_identity, name="reveal"),
    path(
        "cases/<int:case_id>/attachments/<int:attachment_id>/",
        views.attachment_download,
        name="attachment",
    ),
    path("acceptance/", views.acceptance_queue, name="acceptance_queue"),
    path("notifications/", views.notification_list, name="notifications"),
    path(
        "notifications/<int:notification_id>/read/",
        views.notification_read,
        name="notification_read",
    ),
    path("notifications/read-all/", views.notifications_read_all, name="notifications_read_all"),
]
