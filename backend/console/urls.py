from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import invite_views, setup_views, team_views, views
from .reports import views as reports
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
    path("sites/new/", setup_views.new_site, name="new_site"),
    path("sites/<str:key>/", setup_views.site_home, name="site"),
    path("sites/<str:key>/allow/", setup_views.allow_origin, name="allow_origin"),
    path("sites/<str:key>/check/", setup_views.install_check_fragment, name="install_check"),
    path("sites/<str:key>/team/", team_views.team, name="team"),
    path("sites/<str:key>/team/invite/", team_views.invite, name="invite"),
    path("sites/<str:key>/team/transfer/", team_views.transfer, name="transfer"),
    path("sites/<str:key>/team/<int:membership_id>/", team_views.change_member,
         name="change_member"),
    path("sites/<str:key>/team/<int:membership_id>/remove/", team_views.remove_member,
         name="remove_member"),
    path("sites/<str:key>/invites/<int:invite_id>/again/", team_views.resend_invite,
         name="resend_invite"),
    path("sites/<str:key>/invites/<int:invite_id>/revoke/", team_views.revoke_invite,
         name="revoke_invite"),
    path("sites/<str:key>/settings/", views.site_settings, name="site_settings"),
    path("sites/<str:key>/settings/identity/", views.identity_secret, name="identity_secret"),
    path("sites/<str:key>/reports/", reports.page, name="reports"),
    path("sites/<str:key>/reports/data", reports.data, name="reports_data"),
    path("sites/<str:key>/reports/csv", reports.csv, name="reports_csv"),
    path("sites/<str:key>/delete/", views.delete_site, name="delete_site"),
    path("welcome/<uidb64>/<token>/", invite_views.accept_invite, name="invite_accept"),
    path("sites/<str:key>/uploads", views.upload, name="upload"),
]
