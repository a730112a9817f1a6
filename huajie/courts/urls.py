from django.urls import path

from huajie.courts import views

app_name = "courts"

urlpatterns = [
    path("", views.court_tree, name="tree"),
    path("<int:court_id>/", views.court_detail, name="detail"),
]
