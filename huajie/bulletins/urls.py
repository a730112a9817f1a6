from django.urls import path

from huajie.bulletins import views

app_name = "bulletins"

urlpatterns = [
    path("", views.bulletin_list, name="list"),
    path("issue/", views.bulletin_issue_view, name="issue"),
    path("nation.<str:fmt>", views.nation_bulletin, name="nation"),
    path("<int:bulletin_id>/", views.bulletin_detail, name="detail"),
    path("<int:bulletin_id>/<str:fmt>/", views.bulletin_download, name="download"),
]
