from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

SEARCH_MIGRATION = "0007_tags_and_search"


class ConversationsConfig(AppConfig):
    name = "conversations"
    verbose_name = _("Conversations")

    def ready(self) -> None:
        post_migrate.connect(_search_indexes_after_migrate, sender=self)


def _search_indexes_after_migrate(sender, using: str = "default", **kwargs) -> None:
    """Put back what a table rebuild took away (``conversations.search_schema``), once
    the migration that made the search indexes is applied."""
    from django.db import connections
    from django.db.migrations.recorder import MigrationRecorder

    from . import search_schema

    connection = connections[using]
    if MigrationRecorder(connection).migration_qs.filter(
            app="conversations", name=SEARCH_MIGRATION).exists():
        search_schema.ensure(connection)
