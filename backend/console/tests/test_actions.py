"""Console actions and queries in-process: canned responses, site settings, search,
visitor history — and that an agent of site A can neither read nor act on site B."""

from __future__ import annotations

import pytest

from bus import events, groups
from console import actions
from console import queries as console_queries
from console.models import CannedResponse
from conversations import actions as conv_actions
from conversations import queries
from papo.errors import PapoError

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def two_sites(make_site, make_agent):
    a = make_site("Shop A", "https://a.example")
    b = make_site("Shop B", "https://b.example")
    return {
        "a": a, "b": b,
        "admin_a": make_agent(a, "AdminA", role="admin"),
        "agent_a": make_agent(a, "AgentA"),
        "admin_b": make_agent(b, "AdminB", role="admin"),
    }


def code_of(fn, *args) -> str:
    with pytest.raises(PapoError) as err:
        fn(*args)
    return err.value.code


def test_admin_saves_edits_and_deletes_canned_and_agents_hear(two_sites):
    s = two_sites
    canned, evs = events._collecting(actions.do_save_canned, s["admin_a"], s["a"].key,
                                     "/Hello", "Hi! How can I help?")
    assert canned.shortcut == "hello" and canned.site == s["a"]
    assert [g for g, _ in evs] == [groups.site_agents(s["a"].pk)]
    assert "Hi! How can I help?" in evs[0][1]["text"]
    edited = actions.do_save_canned(s["admin_a"], s["a"].key, "hi", "Hey", canned.pk)
    assert edited.pk == canned.pk and CannedResponse.objects.get().body == "Hey"
    assert [c["shortcut"] for c in console_queries.canned_of(s["agent_a"])] == ["hi"]
    assert console_queries.canned_of(s["admin_b"]) == []
    actions.do_delete_canned(s["admin_a"], canned.pk)
    assert not CannedResponse.objects.exists()


def test_canned_validation(two_sites):
    s = two_sites
    actions.do_save_canned(s["admin_a"], s["a"].key, "bye", "Bye!")
    assert code_of(actions.do_save_canned, s["admin_a"], s["a"].key, "bye", "again") == "invalid"
    assert code_of(actions.do_save_canned, s["admin_a"], s["a"].key, "bad shortcut!",
                   "x") == "invalid"
    assert code_of(actions.do_save_canned, s["admin_a"], s["a"].key, "ok", "  ") == "body_empty"
    # the same shortcut on another site is fine
    actions.do_save_canned(s["admin_b"], s["b"].key, "bye", "Tchau!")


def test_canned_is_admin_only_and_site_scoped(two_sites):
    s = two_sites
    canned_b = actions.do_save_canned(s["admin_b"], s["b"].key, "secret", "B only")
    # a plain agent of A may use but not manage
    assert code_of(actions.do_save_canned, s["agent_a"], s["a"].key, "x", "y") == "forbidden"
    # nobody of A touches B's: indistinguishable from missing
    assert code_of(actions.do_save_canned, s["admin_a"], s["b"].key, "x", "y") == "not_found"
    assert code_of(actions.do_save_canned, s["admin_a"], s["a"].key, "x", "y",
                   canned_b.pk) == "not_found"
    assert code_of(actions.do_delete_canned, s["admin_a"], canned_b.pk) == "not_found"
    assert CannedResponse.objects.get(pk=canned_b.pk).body == "B only"
    assert all(c["site"] == s["a"].key for c in console_queries.canned_of(s["admin_a"]))


def test_site_settings_admin_only_and_validated(two_sites):
    s = two_sites
    site = actions.do_update_site_settings(
        s["admin_a"], s["a"].key,
        {"greeting": "Olá!", "color": "#ff0000", "allowed_origins": "https://a.example\n"
                                                                     "https://www.a.example"})
    assert site.greeting == "Olá!" and "https://www.a.example" in site.origin_list
    assert code_of(actions.do_update_site_settings, s["admin_a"], s["a"].key,
                   {"color": "red"}) == "invalid"
    assert code_of(actions.do_update_site_settings, s["admin_a"], s["a"].key,
                   {"allowed_origins": "not an origin"}) == "invalid"
    assert code_of(actions.do_update_site_settings, s["admin_a"], s["a"].key,
                   {"identity_secret": "x"}) == "invalid"
    assert code_of(actions.do_update_site_settings, s["agent_a"], s["a"].key,
                   {"greeting": "x"}) == "forbidden"
    assert code_of(actions.do_update_site_settings, s["admin_a"], s["b"].key,
                   {"greeting": "x"}) == "not_found"
    s["b"].refresh_from_db()
    assert s["b"].greeting != "x"


def test_search_resolved_by_name_email_and_text_within_own_sites(two_sites, make_visitor):
    s = two_sites
    rita = make_visitor(s["a"], name="Rita Lee", email="rita@example.com")
    joao = make_visitor(s["a"], name="João")
    other = make_visitor(s["b"], name="Rita Other")
    for visitor, text in ((rita, "my order is late"), (joao, "refund for parcel 42"),
                          (other, "parcel 42 too")):
        ack = conv_actions.do_visitor_send(visitor, "c-1", text)
        admin = s["admin_b"] if visitor is other else s["admin_a"]
        conv_actions.do_resolve(admin, ack.conversation)

    def names(q):
        rows, _ = queries.list_conversations(s["agent_a"], "resolved", q=q)
        return sorted(r["visitor"]["name"] for r in rows)

    assert names("rita") == ["Rita Lee"]
    assert names("RITA@EXAMPLE") == ["Rita Lee"]
    assert names("parcel 42") == ["João"]
    assert names("") == ["João", "Rita Lee"]
    assert names("nothing like this") == []


def test_visitor_history_lists_past_conversations_only_for_members(two_sites, make_visitor):
    s = two_sites
    rita = make_visitor(s["a"], name="Rita")
    first = conv_actions.do_visitor_send(rita, "c-1", "first chat").conversation
    conv_actions.do_resolve(s["admin_a"], first)
    second = conv_actions.do_visitor_send(rita, "c-2", "second chat").conversation
    reply = queries.visitor_history(s["agent_a"], second)
    assert [c["id"] for c in reply["conversations"]] == [first]
    assert reply["conversations"][0]["last_message"]["event"] == "resolved"
    assert code_of(queries.visitor_history, s["admin_b"], second) == "not_found"


def test_list_and_actions_on_other_site_are_not_found(two_sites, make_visitor):
    s = two_sites
    visitor_b = make_visitor(s["b"], name="Bea")
    conv_b = conv_actions.do_visitor_send(visitor_b, "c-1", "hello B").conversation
    a = s["admin_a"]
    for fn, args in (
        (conv_actions.do_claim, (a, conv_b)),
        (conv_actions.do_resolve, (a, conv_b)),
        (conv_actions.do_reopen, (a, conv_b)),
        (conv_actions.do_transfer, (a, conv_b, s["agent_a"].pk)),
        (conv_actions.do_agent_send, (a, conv_b, "x-1", "hi")),
        (conv_actions.do_agent_send, (a, conv_b, "x-2", "note", True)),
        (conv_actions.do_agent_read, (a, conv_b, 1)),
        (queries.history, (a, conv_b)),
    ):
        assert code_of(fn, *args) == "not_found", fn
    for box in ("queue", "mine", "open", "resolved"):
        rows, _ = queries.list_conversations(a, box, q="B")
        assert all(r["site"] == s["a"].key for r in rows)
    assert code_of(queries.list_conversations, a, "queue", s["b"].key) == "not_found"
