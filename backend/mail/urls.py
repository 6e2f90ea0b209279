from django.urls import path

from . import views

app_name = "mail"

urlpatterns = [
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("inbound/", views.inbound_mail, name="inbound"),
]
