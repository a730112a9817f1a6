from django.urls import path

from huajie.ledger import views

app_name = "ledger"

urlpatterns = [
    path("import/", views.import_page, name="import"),
    path("imports/<int:import_id>/", views.import_detail, name="detail"),
    path("imports/<int:import_id>/progress/", views.import_progress, name="progress"),
    path("imports/<int:import_id>/apply/", views.import_apply, name="apply"),
    path("imports/<int:import_id>/marked.xlsx", views.import_marked, name="marked"),
]
