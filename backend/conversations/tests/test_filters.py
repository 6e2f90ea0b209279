"""The filtered list walks one index range per site and status and merges them; with
many sites it asks once instead. Both give the same pages (in-process, SQLite)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from conversations import filters
from conversations.models import Conversation


def test_the_merged_walks_and_the_single_query_give_the_same_pages(
        make_site, make_agent, make_visitor, monkeypatch):
    sites = [make_site(name=f"S{i}") for i in range(5)]
    agent = make_agent(sites[0], online=False)
    for site in sites[1:]:
        site.members.create(user=agent)
    now = timezone.now()
    for i in range(30):
        site = sites[i % 5]
        status = ("waiting", "open", "resolved")[i % 3]
        at = now - timedelta(minutes=(i * 7) % 30, seconds=i)
        Conversation.objects.create(site=site, visitor=make_visitor(site), status=status,
                                    created_at=at, updated_at=at)

    def pages(**frame) -> list[list[int]]:
        out, cursor = [], None
        while True:
            page = filters.page(agent, {**frame, "limit": 4, "cursor": cursor})
            out.append([c["id"] for c in page["conversations"]])
            cursor = page["cursor"]
            if cursor is None:
                return out

    newest = Conversation.objects.order_by("-updated_at", "-pk")
    expected = list(newest.values_list("pk", flat=True))
    for frame in ({}, {"status": "open"}):
        walked = pages(**frame)
        monkeypatch.setattr(filters, "MAX_WALKS", 1)
        single = pages(**frame)
        monkeypatch.setattr(filters, "MAX_WALKS", 12)
        assert walked == single
        wanted = [pk for pk in expected if not frame or
                  Conversation.objects.get(pk=pk).status == frame["status"]]
        assert [pk for page in walked for pk in page] == wanted
    assert len(pages()) == 8  # 30 rows, 4 a page
