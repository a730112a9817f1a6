from django.urls import include, path, re_path

from huajie.api.api import api
from huajie.api.api import not_found as api_not_found
from huajie.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("accounts/", include("huajie.accounts.urls")),
    path("courts/", include("huajie.courts.urls")),
    path("", include("huajie.cases.urls")),
    path("supervision/", include("huajie.supervision.urls")),
    path("bulletins/", include("huajie.bulletins.urls")),
    path("ledger/", include("huajie.ledger.urls")),
    path("api/v1/", api.urls),
    re_path(r"^api/v1/", api_not_found),  # after the API: anything else under it, as JSON
]

handler400 = "huajie.core.views.error_400"
handler403 = "huajie.core.views.error_403"
handler404 = "huajie.core.views.error_404"
handler500 = "huajie.core.views.error_500"
