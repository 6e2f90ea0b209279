"""A deleted attachment row takes its stored files with it, once the deletion commits.

Rows go by cascade with their site, visitor, conversation or message (Django
sends ``post_delete`` for each, so deleting a visitor or a conversation in the
admin deletes their files), and by the orphan sweep (``attachments.tasks``).
A deletion that rolls back deletes nothing.
"""

from __future__ import annotations

from functools import partial

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from . import storage
from .models import Attachment


@receiver(post_delete, sender=Attachment)
def delete_stored_files(sender, instance: Attachment, **kwargs) -> None:
    keys = [instance.file_key, instance.thumb_key]
    transaction.on_commit(partial(storage.delete, keys))
