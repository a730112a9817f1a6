from django.urls import path

from huajie.supervision import views

app_name = "supervision"

urlpatterns = [
    path("", views.dashboard_view, name="dashboard"),
    path("courts/<int:court_id>/", views.dashboard_view, name="court"),
    path("courts/<int:court_id>/report.<str:fmt>", views.report_download, name="report"),
    path("assessment/", views.assessment_view, name="assessment"),
    path("assessment.xlsx", views.assessment_export, name="assessment_export"),
    path("assessment/veto/", views.veto_set_view, name="veto_set"),
    path("assessment/veto/<int:veto_id>/lift/", views.veto_lift_view, name="veto_lift"),
    path("exemplary/", views.exemplary_list, name="exemplary"),
    path("exemplary/<int:case_id>/", views.exemplary_mark, name="exemplary_mark"),
]
