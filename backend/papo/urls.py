from django.contrib import admin
from django.http import HttpResponse
from django.urls import include, path

from console.throttle import login_limited


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("admin/login/", login_limited(admin.site.login)),  # before admin.site.urls
    path("admin/", admin.site.urls),
    path("api/widget/", include("widget_api.urls")),
    path("console/", include("console.urls")),
    path("mail/", include("mail.urls")),
    path("files/", include("attachments.urls")),
    path("i18n/", include("django.conf.urls.i18n")),  # set_language: the agent's choice
    path("healthz", healthz),
]
