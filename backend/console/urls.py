from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import views
from .throttle import login_limited

app_name = "console"

urlpatterns = [
    path("", views.app, name="app"),
    path("login/", login_limited(auth_views.LoginView.as_view(
        template_name="console/login.html", redirect_authenticated_user=True)), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", auth_views.PasswordChangeView.as_view(
        template_name="console/password.html",
        success_url=reverse_lazy("console:password_done")), name="password"),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(
        template_name="console/password_done.html"), name="password_done"),
    path("sites/<str:key>/settings/", views.site_settings, name="site_settings"),
    path("sites/<str:key>/uploads", views.upload, name="upload"),
]
