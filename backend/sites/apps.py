from django.apps import AppConfig


class SitesConfig(AppConfig):
    name = "sites"
    label = "papo_sites"  # "sites" is taken by django.contrib.sites
    verbose_name = "Sites"

    def ready(self) -> None:
        from . import lookup  # noqa: F401  (connects the cache-clearing signals)
