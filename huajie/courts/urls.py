from django.urls import path

from huajie.courts import views

app_name = "courts"

urlpatterns = [
    path("", views.court_tree, name="tree"),
    path("<int:court_id>/", views.court_detail, name="detail"),
    path("<int:court_id>/people/new/", views.person_new, name="person_new"),
    path("people/<int:person_id>/", views.person_edit, name="person_edit"),
    path("people/<int:person_id>/positions/", views.position_add_view, name="position_add"),
    path(
        "people/<int:person_id>/positions/<int:position_id>/remove/",
        views.position_remove_view,
        name="position_remove",
    ),
]
