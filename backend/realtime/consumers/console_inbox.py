"""The console's frames for working the inbox: tags, the filtered list, search.

A mixin of ``ConsoleConsumer``: like every frame handler it only parses and
passes on; who may do what is decided by the actions and queries
(``conversations.tags``, ``conversations.filters``, ``conversations.search``),
in one database hop, and events go out after commit (``bus.events.run``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from bus import events
from bus.db import in_db
from conversations import filters, search, serializers, tags


def _tag_view(user, conversation_id: int, tag_id: int, on: bool) -> dict:
    conv = tags.do_tag(user, conversation_id, tag_id, on=on)
    return serializers.conversation_for_console(conv, conv.messages.order_by("-seq").first())


class InboxFrames:
    # the consumer's (annotations only: the mixin must not shadow them)
    user: Any
    send_frame: Callable[[dict], Awaitable[None]]

    async def on_filter(self, frame: dict, ref: object) -> None:
        page = await in_db(filters.page)(self.user, frame)
        await self.send_frame({"type": "filter", "ref": ref, **page})

    async def on_search(self, frame: dict, ref: object) -> None:
        found = await in_db(search.search)(self.user, frame)
        await self.send_frame({"type": "search", "ref": ref, **found})

    async def on_tag_save(self, frame: dict, ref: object) -> None:
        tag = await events.run(tags.do_save_tag, self.user, frame["site"], frame["name"],
                               frame["color"], frame.get("id"))
        await self.send_frame({"type": "ok", "ref": ref, "tag": tag})

    async def on_tag_delete(self, frame: dict, ref: object) -> None:
        deleted = await events.run(tags.do_delete_tag, self.user, frame["id"])
        await self.send_frame({"type": "ok", "ref": ref, "deleted": deleted})

    async def on_tag_add(self, frame: dict, ref: object) -> None:
        view = await events.run(_tag_view, self.user, frame["conversation"], frame["tag"], True)
        await self.send_frame({"type": "ok", "ref": ref, "conversation": view})

    async def on_tag_remove(self, frame: dict, ref: object) -> None:
        view = await events.run(_tag_view, self.user, frame["conversation"], frame["tag"], False)
        await self.send_frame({"type": "ok", "ref": ref, "conversation": view})
