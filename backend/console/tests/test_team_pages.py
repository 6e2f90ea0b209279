"""Roles and invitations through the console's pages, in-process: each refusal is
made on the server (raw POSTs a page would never send), a site keeps an owner,
and an invitation's link is good once, ends when sent again or revoked, and
expires. (Real mail through a real worker: test_live_invites.py.)"""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from agents import invite_tokens
from agents.models import Invite, Membership
from sites.models import Site

pytestmark = pytest.mark.django_db

User = get_user_model()


@pytest.fixture
def no_mail(settings):
    settings.PAPO_EMAIL_ENABLED = False


@pytest.fixture
def shop(make_site, make_agent):
    site = make_site("Shop", "https://shop.example")
    return {"site": site,
            "owner": make_agent(site, "Olga", online=False, role="owner"),
            "admin": make_agent(site, "Adi", online=False, role="admin"),
            "agent": make_agent(site, "Ana", online=False)}


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def roles(site) -> dict[str, str]:
    return {m.user.first_name: m.role
            for m in Membership.objects.filter(site=site).select_related("user")}


def member_id(site, user) -> int:
    return Membership.objects.get(site=site, user=user).pk


def flash(response) -> str:
    return html.unescape(" ".join(re.findall(r'class="(?:ok|error) flash"[^>]*>([^<]*)<',
                                             response.content.decode())))


@pytest.mark.security
def test_what_an_agent_and_an_admin_may_not_do(shop):
    site, key = shop["site"], shop["site"].key
    before = roles(site)
    agent = as_user(shop["agent"])
    for path in ("team/", "settings/", ""):
        assert agent.get(f"/console/sites/{key}/{path}").status_code == 403
    raw = {  # what a raw client could post; each is refused before anything changes
        "team/invite/": {"email": "x@example.com", "role": "agent", "max_concurrent": "5"},
        f"team/{member_id(site, shop['agent'])}/": {"role": "admin", "max_concurrent": "50"},
        f"team/{member_id(site, shop['admin'])}/remove/": {},
        "team/transfer/": {"user": str(shop["agent"].pk)},
        "settings/identity/": {"do": "show"},
        "delete/": {"name": "Shop"},
    }
    for path, data in raw.items():
        assert agent.post(f"/console/sites/{key}/{path}", data).status_code == 403, path
    admin = as_user(shop["admin"])
    owner_id = member_id(site, shop["owner"])
    for path, data in {
        "team/invite/": {"email": "boss@example.com", "role": "owner", "max_concurrent": "5"},
        f"team/{member_id(site, shop['agent'])}/": {"role": "owner", "max_concurrent": "5"},
        f"team/{owner_id}/": {"role": "agent", "max_concurrent": "5"},
        f"team/{owner_id}/remove/": {},
        "team/transfer/": {"user": str(shop["agent"].pk)},
    }.items():
        res = admin.post(f"/console/sites/{key}/{path}", data, follow=True)
        assert "Your role on this site does not allow that." in flash(res) or (
            "does not allow that" in res.content.decode()), path
    for path, data in {"settings/identity/": {"do": "rotate"},
                       "delete/": {"name": "Shop"}}.items():
        assert admin.post(f"/console/sites/{key}/{path}", data).status_code == 403, path
    assert roles(site) == before
    assert not Invite.objects.exists() and Site.objects.filter(pk=site.pk).exists()
    # the admin's page offers no owner role at all
    page = admin.get(f"/console/sites/{key}/team/").content.decode()
    assert 'value="owner"' not in page
    # another site's owner: every page and post of this site looks missing
    stranger = as_user(Membership.objects.create(
        user=User.objects.create_user("eve", first_name="Eve"),
        site=Site.objects.create(name="Other"), role="owner").user)
    assert stranger.get(f"/console/sites/{key}/team/").status_code == 404
    assert stranger.post(f"/console/sites/{key}/team/{owner_id}/remove/").status_code == 404
    assert roles(site) == before


@pytest.mark.security
def test_a_member_of_another_site_cannot_be_changed_through_this_one(shop, make_site,
                                                                     make_agent):
    other = make_site("Other")
    theirs = make_agent(other, "Tom", online=False)
    owner = as_user(shop["owner"])
    res = owner.post(f"/console/sites/{shop['site'].key}/team/{member_id(other, theirs)}/",
                     {"role": "admin", "max_concurrent": "9"}, follow=True)
    assert "not there any more" in flash(res)
    assert Membership.objects.get(user=theirs).role == "agent"


def test_admins_manage_agents_and_capacity_owners_manage_owners(shop):
    site, key = shop["site"], shop["site"].key
    admin = as_user(shop["admin"])
    ana = member_id(site, shop["agent"])
    res = admin.post(f"/console/sites/{key}/team/{ana}/", {"role": "admin",
                                                          "max_concurrent": "12"}, follow=True)
    assert flash(res) == "Saved."
    assert Membership.objects.get(pk=ana).max_concurrent == 12 and roles(site)["Ana"] == "admin"
    owner = as_user(shop["owner"])
    owner.post(f"/console/sites/{key}/team/{ana}/", {"role": "owner", "max_concurrent": "12"})
    assert roles(site)["Ana"] == "owner"
    owner.post(f"/console/sites/{key}/team/{ana}/", {"role": "agent", "max_concurrent": "1"})
    assert roles(site)["Ana"] == "agent"
    bad = owner.post(f"/console/sites/{key}/team/{ana}/", {"role": "boss",
                                                          "max_concurrent": "-1"}, follow=True)
    assert "Choose a role" in flash(bad) and roles(site)["Ana"] == "agent"


def test_a_site_always_keeps_an_owner_and_can_be_handed_over(shop):
    site, key = shop["site"], shop["site"].key
    owner = as_user(shop["owner"])
    me = member_id(site, shop["owner"])
    for path, data in ((f"team/{me}/", {"role": "admin", "max_concurrent": "5"}),
                       (f"team/{me}/remove/", {})):
        res = owner.post(f"/console/sites/{key}/{path}", data, follow=True)
        assert "A site keeps at least one owner" in flash(res)
    assert roles(site)["Olga"] == "owner"
    res = owner.post(f"/console/sites/{key}/team/transfer/", {"user": str(shop["agent"].pk)},
                     follow=True)
    assert "The site has a new owner" in flash(res)
    assert roles(site) == {"Olga": "admin", "Adi": "admin", "Ana": "owner"}
    # now an admin, Olga may not hand it back; Ana may step down only after another owner
    assert "does not allow" in flash(owner.post(f"/console/sites/{key}/team/transfer/",
                                                {"user": str(shop["owner"].pk)}, follow=True))
    ana = as_user(shop["agent"])
    assert "A site keeps at least one owner" in flash(ana.post(
        f"/console/sites/{key}/team/{member_id(site, shop['agent'])}/remove/", follow=True))


def test_owners_see_rotate_the_identity_secret_and_delete_the_site(shop):
    site, key = shop["site"], shop["site"].key
    owner = as_user(shop["owner"])
    settings_page = owner.get(f"/console/sites/{key}/settings/").content.decode()
    assert site.identity_secret not in settings_page
    assert "••••••••" + site.identity_secret[-4:] in settings_page
    shown = owner.post(f"/console/sites/{key}/settings/identity/", {"do": "show"})
    assert site.identity_secret in shown.content.decode()
    assert "no-store" in shown["Cache-Control"] or "no-cache" in shown["Cache-Control"]
    rotated = owner.post(f"/console/sites/{key}/settings/identity/", {"do": "rotate"})
    site.refresh_from_db()
    assert site.identity_secret in rotated.content.decode()
    assert "A new identity secret" in rotated.content.decode()
    # a wrong name deletes nothing; the right one deletes the site and its memberships
    res = owner.post(f"/console/sites/{key}/delete/", {"name": "shop"}, follow=True)
    assert "Type the site's name exactly" in flash(res) and Site.objects.filter(pk=site.pk)
    res = owner.post(f"/console/sites/{key}/delete/", {"name": "Shop"})
    assert res.status_code == 302 and not Site.objects.filter(pk=site.pk).exists()
    assert not Membership.objects.filter(site_id=site.pk).exists()


def test_an_invite_without_mail_gives_a_link_that_works_once(shop, no_mail):
    site, key = shop["site"], shop["site"].key
    admin = as_user(shop["admin"])
    res = admin.post(f"/console/sites/{key}/team/invite/",
                     {"email": "  Rita@Example.com ", "role": "admin", "max_concurrent": "3"},
                     follow=True)
    assert "copy the invitation's link below and send it to rita@example.com" in flash(res)
    invite = Invite.objects.get()
    rita = invite.user
    assert (rita.username, rita.email, rita.has_usable_password()) == (
        "rita@example.com", "rita@example.com", False)
    link = re.search(r'id="invite-link-\d+">([^<]+)<', res.content.decode()).group(1)
    assert link.startswith("http://testserver/console/welcome/")
    # the link: the token leaves the address bar, the invitee chooses name and password
    browser = Client()
    landing = browser.get(link.removeprefix("http://testserver"))
    assert landing.status_code == 302 and landing["Location"].endswith("/set-password/")
    form = browser.get(landing["Location"])
    assert "You are invited to answer chats for Shop" in form.content.decode()
    done = browser.post(landing["Location"], {"name": "Rita", "new_password1": "a-long-pass-42",
                                              "new_password2": "a-long-pass-42"})
    assert done.status_code == 302 and done["Location"] == "/console/"
    assert browser.get("/console/").status_code == 200  # logged in, a member
    m = Membership.objects.get(site=site, user=rita)
    assert (m.role, m.max_concurrent, m.user.first_name) == ("admin", 3, "Rita")
    assert not Invite.objects.exists()
    # once: the same link again is dead
    again = Client().get(link.removeprefix("http://testserver"), follow=True)
    assert "This link no longer works" in again.content.decode()
    assert Client().login(username="rita@example.com", password="a-long-pass-42")


def test_inviting_again_and_revoking_end_earlier_links(shop, no_mail):
    key = shop["site"].key
    owner = as_user(shop["owner"])
    owner.post(f"/console/sites/{key}/team/invite/",
               {"email": "bo@example.com", "role": "agent", "max_concurrent": "5"})
    bo = User.objects.get(email="bo@example.com")
    invite = Invite.objects.get()
    Invite.objects.filter(pk=invite.pk).update(sent_at=invite.sent_at - timedelta(seconds=5))
    first = invite_tokens.link_path(bo)  # as sent 5 s ago
    owner.post(f"/console/sites/{key}/team/invite/",
               {"email": "bo@example.com", "role": "admin", "max_concurrent": "2"})
    assert Invite.objects.get().role == "admin"  # one invite, changed
    assert "This link no longer works" in Client().get(first, follow=True).content.decode()
    second = invite_tokens.link_path(bo)
    assert Client().get(second).status_code == 302  # the new one works
    res = owner.post(f"/console/sites/{key}/invites/{Invite.objects.get().pk}/revoke/",
                     follow=True)
    assert "Invitation revoked" in flash(res)
    assert "This link no longer works" in Client().get(second, follow=True).content.decode()
    assert not User.objects.filter(email="bo@example.com").exists()  # made for it, unused


def test_an_expired_link_is_refused(shop, no_mail, settings):
    as_user(shop["owner"]).post(f"/console/sites/{shop['site'].key}/team/invite/",
                                {"email": "late@example.com", "role": "agent",
                                 "max_concurrent": "5"})
    late = User.objects.get(email="late@example.com")

    class Earlier(invite_tokens.InviteTokens):
        def _now(self):
            return super()._now() - timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60)

    old = Earlier().make_token(late)
    path = invite_tokens.link_path(late).rsplit("/", 2)[0] + f"/{old}/"
    assert "This link no longer works" in Client().get(path, follow=True).content.decode()


def test_inviting_someone_who_has_an_account_adds_them(shop, make_site, make_agent, no_mail):
    key = shop["site"].key
    tom = make_agent(make_site("Other"), "Tom", online=False)
    tom.email = "tom@example.com"
    tom.save()
    owner = as_user(shop["owner"])
    res = owner.post(f"/console/sites/{key}/team/invite/",
                     {"email": "TOM@example.com", "role": "agent", "max_concurrent": "4"},
                     follow=True)
    assert "tom@example.com had an account here: they are a member now." in flash(res)
    assert Membership.objects.get(site=shop["site"], user=tom).max_concurrent == 4
    assert not Invite.objects.exists()
    res = owner.post(f"/console/sites/{key}/team/invite/",
                     {"email": "tom@example.com", "role": "agent", "max_concurrent": "4"})
    assert res.status_code == 400 and "already a member" in res.content.decode()
    tom.is_active = False
    tom.save()
    Membership.objects.filter(site=shop["site"], user=tom).delete()
    res = owner.post(f"/console/sites/{key}/team/invite/",
                     {"email": "tom@example.com", "role": "agent", "max_concurrent": "4"})
    assert res.status_code == 400 and "switched off" in res.content.decode()
    res = owner.post(f"/console/sites/{key}/team/invite/",
                     {"email": "not an address", "role": "agent", "max_concurrent": "4"})
    assert res.status_code == 400 and not Invite.objects.exists()


def test_on_the_wire_an_owner_is_an_admin(shop):
    """Protocol v2's console knows roles agent and admin; an owner manages the site
    as an admin does there (owner-only things are on these pages)."""
    from console.queries import console_welcome

    for who, role in (("owner", "admin"), ("admin", "admin"), ("agent", "agent")):
        assert console_welcome(shop[who])["sites"][0]["role"] == role
