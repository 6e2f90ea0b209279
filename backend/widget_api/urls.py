from django.urls import path

from . import views

urlpatterns = [
    path("<str:site_key>/config", views.widget_config, name="widget-config"),
    path("<str:site_key>/continue", views.continue_chat, name="widget-continue"),
    path("<str:site_key>/uploads", views.upload, name="widget-upload"),
]
