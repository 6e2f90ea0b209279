from django.apps import AppConfig


class WidgetApiConfig(AppConfig):
    name = "widget_api"

    def ready(self) -> None:
        from . import cors  # noqa: F401  (connects the CORS signal)
