"""The console's pages: login, members only, no inline script, site settings, languages."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model

from agents.models import Membership

pytestmark = pytest.mark.django_db


@pytest.fixture
def site_a(make_site):
    return make_site("Shop A", "https://a.example")


def login(client, user):
    client.force_login(user)
    return client


def test_anonymous_is_sent_to_the_login_page(client):
    res = client.get("/console/")
    assert res.status_code == 302 and res["Location"].startswith("/console/login/")
    page = client.get("/console/login/")
    assert page.status_code == 200 and b'name="password"' in page.content


@pytest.mark.security
def test_login_through_the_form_lands_in_the_console(client, site_a, make_agent):
    agent = make_agent(site_a, "Ana", online=False)
    agent.set_password("s3cret-pass")
    agent.save()
    res = client.post("/console/login/", {"username": agent.username,
                                          "password": "s3cret-pass"})
    assert res.status_code == 302 and res["Location"] == "/console/"
    app = client.get("/console/")
    assert app.status_code == 200
    html = app.content.decode()
    assert 'src="/static/console/console.js"' in html
    assert 'data-ws-path="/ws/console/"' in html
    # no inline scripts: every <script> has a src
    assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", html))


def test_a_user_of_no_site_gets_a_clear_refusal(client):
    user = get_user_model().objects.create_user("loner", password="x")
    res = login(client, user).get("/console/")
    assert res.status_code == 403
    assert b"not an agent of any site" in res.content


def test_logout_and_password_change(client, site_a, make_agent):
    agent = make_agent(site_a, "Ana", online=False)
    login(client, agent)
    assert client.get("/console/password/").status_code == 200
    res = client.post("/console/password/", {"old_password": "x",
                                             "new_password1": "a-much-better-pw-42",
                                             "new_password2": "a-much-better-pw-42"})
    assert res.status_code == 302
    res = client.post("/console/logout/")
    assert res.status_code == 302 and res["Location"] == "/console/login/"
    assert client.get("/console/").status_code == 302


@pytest.mark.security
@pytest.mark.parametrize("form", ["/console/login/", "/admin/login/"])
def test_password_guessing_is_rate_limited(client, site_a, make_agent, settings, form,
                                           one_rate_window):
    from django.core.cache import caches

    from bus import metrics

    settings.PAPO = {**settings.PAPO, "LOGIN_RATE": "5/m"}
    agent = make_agent(site_a, "Ana", online=False)
    refused_before = metrics.value("limited.http")
    try:
        answers = [client.post(form, {"username": agent.username, "password": f"guess{i}"},
                               REMOTE_ADDR=f"203.0.113.{i}").status_code for i in range(6)]
        # five guesses at one account from five addresses, then the sixth is refused
        assert answers == [200] * 5 + [429]
        # the right password does not get through either while the limit holds
        res = client.post(form, {"username": agent.username, "password": "x"},
                          REMOTE_ADDR="203.0.113.99")
        assert res.status_code == 429 and b"Too many requests" in res.content
        # one address guessing at many accounts is stopped the same way
        answers = [client.post(form, {"username": f"nobody{i}", "password": "x"},
                               REMOTE_ADDR="198.51.100.7").status_code for i in range(6)]
        assert answers == [200] * 5 + [429]
        assert metrics.value("limited.http") == refused_before + 3
    finally:
        caches["default"].clear()  # other tests log in from the same test address


@pytest.mark.security
def test_site_settings_for_admins_only(client, site_a, make_site, make_agent):
    site_b = make_site("Shop B", "https://b.example")
    admin = make_agent(site_a, "Ana", online=False, role="admin")
    agent = make_agent(site_a, "Bob", online=False)
    make_agent(site_b, "Eve", online=False, role="admin")
    url = f"/console/sites/{site_a.key}/settings/"
    page = login(client, admin).get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert (f'&lt;script async src=&quot;http://testserver/static/papo/widget.js&quot; '
            f'data-site-key=&quot;{site_a.key}&quot;&gt;&lt;/script&gt;') in html
    res = client.post(url, {"allowed_origins": "https://a.example\nhttps://shop.a.example",
                            "color": "#123456", "greeting": "Oi!", "offline_message": "Away",
                            "default_locale": "pt-br", "prechat_form": "on",
                            "time_zone": "UTC", "queue_hold_minutes": "30",
                            "followup_minutes": "10",
                            "file_max_bytes": "2000000", "file_types": ["image", "pdf"]})
    assert res.status_code == 302
    site_a.refresh_from_db()
    assert site_a.greeting == "Oi!" and site_a.prechat_form and site_a.color == "#123456"
    assert (site_a.file_max_bytes, site_a.file_types) == (2_000_000, "image,pdf")
    too_big = client.post(url, {"allowed_origins": "https://a.example", "color": "#123456",
                                "greeting": "x", "offline_message": "y", "default_locale": "en",
                                "file_max_bytes": str(10**9), "file_types": ["image"]})
    assert too_big.status_code == 200 and b"PAPO_UPLOAD_MAX_BYTES" in too_big.content
    bad = client.post(url, {"allowed_origins": "javascript:alert(1)", "color": "#123456",
                            "greeting": "x", "offline_message": "y", "default_locale": "en"})
    assert bad.status_code == 200 and b'class="error"' in bad.content
    # another site's settings look missing; a plain agent is refused
    assert client.get(f"/console/sites/{site_b.key}/settings/").status_code == 404
    client.logout()
    assert login(client, agent).get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302  # login first


def test_consent_free_mode_and_spanish_from_the_settings_page(client, site_a, make_agent):
    """Consent-free mode lives on the script tag (the loader must know it before it may
    ask Papo anything): turning it on puts the attribute in the snippet shown, and the
    widget's config says so after the click."""
    admin = make_agent(site_a, "Ana", online=False, role="admin")
    url = f"/console/sites/{site_a.key}/settings/"
    login(client, admin)
    res = client.post(url, {"allowed_origins": "https://a.example", "color": "#123456",
                            "greeting": "Hola", "offline_message": "Away",
                            "default_locale": "es", "consent_free": "on", "time_zone": "UTC",
                            "queue_hold_minutes": "30", "followup_minutes": "10"})
    assert res.status_code == 302
    site_a.refresh_from_db()
    assert site_a.consent_free and site_a.default_locale == "es"
    html = client.get(url).content.decode()
    assert f'data-site-key=&quot;{site_a.key}&quot; data-consent-free&gt;' in html
    config = client.get(f"/api/widget/{site_a.key}/config", HTTP_ORIGIN="https://a.example")
    assert config.json()["consent_free"] is True and config.json()["locale"] == "es"
    # The console speaks Spanish too: the agent may choose it.
    console = client.get("/console/").content.decode()
    assert 'value="pt-br"' in console and '<option value="es">Español</option>' in console


def test_pages_follow_the_browser_language_and_the_agents_choice(client, site_a, make_agent):
    agent = make_agent(site_a, "Ana", online=False)
    login(client, agent)
    pt = client.get("/console/", HTTP_ACCEPT_LANGUAGE="pt-BR,pt;q=0.9")
    assert b'<html lang="pt-br">' in pt.content and b"Sair" in pt.content
    en = client.get("/console/", HTTP_ACCEPT_LANGUAGE="en")
    assert b'<html lang="en">' in en.content and b"Log out" in en.content
    es = client.get("/console/", HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9")
    assert b'<html lang="es">' in es.content and "Salir (Ana)" in es.content.decode()
    client.post("/i18n/setlang/", {"language": "pt-br", "next": "/console/"})
    chosen = client.get("/console/", HTTP_ACCEPT_LANGUAGE="en")
    assert b'<html lang="pt-br">' in chosen.content
    client.post("/i18n/setlang/", {"language": "es", "next": "/console/"})
    chosen = client.get("/console/", HTTP_ACCEPT_LANGUAGE="pt-BR")
    assert b'<html lang="es">' in chosen.content


def test_the_site_pages_speak_spanish(client, site_a, make_agent):
    """Every server-rendered console page in Spanish: its title, its tabs, its form."""
    owner = make_agent(site_a, "Ana", online=False, role="owner")
    login(client, owner)
    client.post("/i18n/setlang/", {"language": "es", "next": "/console/"})
    base = f"/console/sites/{site_a.key}"
    pages = {
        f"{base}/settings/": ["Configuración de", "Orígenes permitidos", "Secreto de identidad",
                              "Eliminar este sitio"],
        f"{base}/": ["Instalar", "1. Pega el código", "Copiar el código",
                             "Volver a comprobar", "3. Suma a tu equipo"],
        f"{base}/team/": ["Equipo de", "Miembros", "Invitar a alguien", "Correo electrónico",
                          "Chats a la vez"],
        f"{base}/reports/": ["Informes de", "Días del informe", "Desde", "Hasta",
                             "Descargar CSV"],
        "/console/sites/new/": ["Crear un sitio", "La dirección de tu sitio web",
                                "Crear el sitio"],
        "/console/password/": ["Cambiar contraseña"],
    }
    for url, words in pages.items():
        res = client.get(url)
        html = res.content.decode()
        assert res.status_code == 200 and '<html lang="es">' in html, url
        for word in words:
            assert word in html, (url, word)
        assert "Bandeja de entrada" in html or url.endswith(("/new/", "/password/")), url


def test_membership_roles_exist():
    assert {c for c, _ in Membership.Role.choices} == {"owner", "admin", "agent"}
