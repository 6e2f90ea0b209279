"""Security headers, pages without inline code, the console's origin rule in production,
and ``manage.py check --deploy`` in production settings.

Headers are read through Django's test client here, page by page (one check of
them as daphne sends them is in realtime/tests/test_attacks.py); that the
policy really holds in a browser is test_browser_csp.py's job.
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.http import HttpResponse
from django.test import RequestFactory

from papo.headers import content_security_policy
from papo.net import proxy_headers
from realtime.handshake import console_origin_ok, scope_is_secure

pytestmark = pytest.mark.security
BACKEND = Path(__file__).resolve().parents[2]


def directives(value: str) -> dict[str, list[str]]:
    return {words[0]: words[1:] for words in (p.split() for p in value.split(";")) if words}


@pytest.fixture
def pages(client, make_site, make_agent):
    """Every kind of page an agent or operator opens: (label, client, path)."""
    site = make_site("Shop", "https://shop.example")
    agent = make_agent(site, "Ana", online=False, role="admin")
    agent_client = client.__class__()
    agent_client.force_login(agent)
    root = get_user_model().objects.create_superuser("root", "root@example.com", "pw")
    root_client = client.__class__()
    root_client.force_login(root)
    return [
        ("console login", client, "/console/login/"),
        ("console app", agent_client, "/console/"),
        ("site settings", agent_client, f"/console/sites/{site.key}/settings/"),
        ("password change", agent_client, "/console/password/"),
        ("admin login", client, "/admin/login/"),
        ("admin index", root_client, "/admin/"),
        ("admin site form", root_client, "/admin/papo_sites/site/add/"),
        ("admin site list", root_client, "/admin/papo_sites/site/"),
        ("admin conversation list", root_client, "/admin/conversations/conversation/"),
    ]


@pytest.mark.django_db
def test_console_and_admin_pages_send_a_strict_policy_and_the_usual_headers(pages):
    for label, client, path in pages:
        res = client.get(path)
        assert res.status_code == 200, label
        csp = directives(res["Content-Security-Policy"])
        for name in ("default-src", "script-src", "style-src", "font-src"):
            assert csp[name] == ["'self'"], (label, name, csp[name])
        assert csp["img-src"] == ["'self'", "data:"]
        assert csp["connect-src"] == ["'self'", "ws://testserver"]
        assert csp["object-src"] == csp["base-uri"] == csp["frame-ancestors"] == ["'none'"]
        assert csp["form-action"] == ["'self'"]
        assert res["X-Content-Type-Options"] == "nosniff"
        assert res["X-Frame-Options"] == "DENY"
        assert res["Referrer-Policy"] == "same-origin"
        assert res["Cross-Origin-Opener-Policy"] == "same-origin"
        allowed = dict(p.strip().split("=") for p in res["Permissions-Policy"].split(","))
        for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
            assert allowed[feature] == "()", (label, feature)


INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "inline <script>"),
    (re.compile(r"<style\b", re.I), "<style> element"),
    (re.compile(r"\sstyle\s*=", re.I), "style= attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "event handler attribute"),
    (re.compile(r"(href|src|action)\s*=\s*[\"']?\s*javascript:", re.I), "javascript: URL"),
]


@pytest.mark.django_db
def test_pages_carry_nothing_the_policy_would_block(pages):
    """The policy can be strict only because the pages need nothing it forbids."""
    for label, client, path in pages:
        html = client.get(path).content.decode()
        for pattern, what in INLINE:
            found = pattern.search(html)
            assert found is None, f"{label}: {what}: {html[found.start():found.start() + 80]!r}"


@pytest.mark.django_db
def test_a_site_name_with_markup_is_escaped_in_the_console_pages(client, make_site, make_agent):
    site = make_site('<img src=x onerror="alert(1)">', "https://shop.example")
    agent = make_agent(site, "<b>Ana</b>", online=False, role="admin")
    client.force_login(agent)
    for path in ("/console/", f"/console/sites/{site.key}/settings/"):
        html = client.get(path).content.decode()
        assert "<img src=x" not in html and "<b>Ana" not in html, path
        assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html, path


@pytest.mark.django_db
def test_the_widget_api_stays_cross_origin(make_site, client):
    """The widget's config is fetched from the customer's page: CORS for the site's
    origin, and no Cross-Origin-Resource-Policy that would block it."""
    site = make_site("Shop", "https://shop.example")
    res = client.get(f"/api/widget/{site.key}/config", HTTP_ORIGIN="https://shop.example")
    assert res.status_code == 200
    assert res["Access-Control-Allow-Origin"] == "https://shop.example"
    assert "Cross-Origin-Resource-Policy" not in res
    assert "Cross-Origin-Embedder-Policy" not in res


def test_static_files_from_another_origin_are_allowed_by_name(settings):
    settings.STATIC_URL = "https://cdn.example/papo/static/"
    request = RequestFactory().get("/console/", secure=True)
    csp = directives(content_security_policy(request))
    assert csp["script-src"] == ["'self'", "https://cdn.example"]
    assert csp["style-src"] == ["'self'", "https://cdn.example"]
    assert csp["connect-src"] == ["'self'", "wss://testserver"]


# --- the console socket's origin, in production -----------------------------------------
PROXY = "10.0.0.7"


def scope(scheme: str = "ws", peer: str = PROXY, **headers: str) -> dict:
    return {"scheme": scheme, "client": [peer, 51000],
            "headers": [(k.replace("_", "-").lower().encode(), v.encode())
                        for k, v in headers.items()]}


def test_console_origin_must_match_scheme_and_host(settings):
    """Behind TLS (wss, or a trusted proxy's X-Forwarded-Proto: https) only the https
    page of this host may open the console socket; its http twin, which a network
    attacker can forge, may not (the rule Django's CSRF check applies to forms)."""
    settings.ALLOWED_HOSTS = ["papo.example"]
    settings.CSRF_TRUSTED_ORIGINS = []
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.PAPO_TRUSTED_PROXIES = [PROXY]
    behind_proxy = scope_is_secure(scope("ws", x_forwarded_proto="https"))
    assert behind_proxy and scope_is_secure(scope("wss"))
    assert not scope_is_secure(scope("ws", x_forwarded_proto="http"))
    assert not scope_is_secure(scope("ws"))
    assert console_origin_ok("https://papo.example", "papo.example", secure=True)
    assert console_origin_ok("https://papo.example:443", "papo.example:443", secure=True)
    for origin in ("http://papo.example", "http://papo.example:443", "https://papo.example:8443",
                   "https://evil.papo.example", "https://papo.example.evil.example"):
        assert not console_origin_ok(origin, "papo.example", secure=True), origin
    assert console_origin_ok("http://papo.example", "papo.example", secure=False)
    assert not console_origin_ok("https://papo.example", "papo.example", secure=False)
    # a host this server does not serve is never a match, even if the Origin agrees
    assert not console_origin_ok("https://evil.example", "evil.example", secure=True)
    # explicitly trusted origins (CSRF_TRUSTED_ORIGINS) are exact, scheme included
    settings.CSRF_TRUSTED_ORIGINS = ["https://console.example"]
    assert console_origin_ok("https://console.example", "papo.example", secure=True)
    assert not console_origin_ok("http://console.example", "papo.example", secure=True)


def test_forwarded_proto_is_believed_only_from_a_trusted_proxy(settings):
    """A client on plain http that sends X-Forwarded-Proto: https itself is not on
    TLS: not for the console socket's origin rule (so an ``https://`` Origin is not
    its own page's), not for Django's ``request.is_secure()``. The live proof, on a
    real daphne: test_live_proxy_headers.py."""
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.PAPO_TRUSTED_PROXIES = [PROXY]
    for peer in ("203.0.113.9", "10.0.0.70", "", None):
        assert not scope_is_secure(scope("ws", peer=peer, x_forwarded_proto="https")), peer
    assert scope_is_secure(scope("ws", peer=PROXY, x_forwarded_proto="https"))
    assert scope_is_secure(scope("wss", peer="203.0.113.9"))  # real TLS is TLS, from anyone

    seen = {}

    def view(request):
        seen["secure"], seen["meta"] = request.is_secure(), dict(request.META)
        return HttpResponse()

    middleware = proxy_headers(view)
    forged = {"HTTP_X_FORWARDED_PROTO": "https", "HTTP_X_FORWARDED_HOST": "evil.example",
              "HTTP_X_FORWARDED_PORT": "443", "HTTP_X_FORWARDED_FOR": "198.51.100.1"}
    middleware(RequestFactory().get("/", REMOTE_ADDR="203.0.113.9", **forged))
    assert seen["secure"] is False
    assert "HTTP_X_FORWARDED_PROTO" not in seen["meta"]
    assert "HTTP_X_FORWARDED_HOST" not in seen["meta"]
    assert "HTTP_X_FORWARDED_PORT" not in seen["meta"]
    middleware(RequestFactory().get("/", REMOTE_ADDR=PROXY, **forged))
    assert seen["secure"] is True
    assert seen["meta"]["HTTP_X_FORWARDED_HOST"] == "evil.example"  # (Django ignores it)
    # a custom SECURE_PROXY_SSL_HEADER is dropped from strangers too
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_SCHEME", "https")
    middleware(RequestFactory().get("/", REMOTE_ADDR="203.0.113.9", HTTP_X_SCHEME="https"))
    assert seen["secure"] is False and "HTTP_X_SCHEME" not in seen["meta"]
    middleware(RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_SCHEME="https"))
    assert seen["secure"] is True


def test_the_proxy_headers_middleware_runs_first(settings):
    """Nothing before it may read a header a client made up (SecurityMiddleware's
    redirect, the CSP's ws/wss, CSRF all ask ``request.is_secure()``)."""
    assert settings.MIDDLEWARE[0] == "papo.net.proxy_headers"


# --- manage.py check --deploy ----------------------------------------------------------------
def production_env(tmp_path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PAPO_", "DJANGO_", "SECURE_", "SESSION_", "CSRF_"))
           and k not in ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL")}
    env.update({"DJANGO_SETTINGS_MODULE": "papo.settings", "DEBUG": "0",
                "SECRET_KEY": secrets.token_urlsafe(64), "ALLOWED_HOSTS": "papo.example",
                "PAPO_VAR_DIR": str(tmp_path)})
    return env


def test_check_deploy_is_clean_in_production_settings(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BACKEND, env=production_env(tmp_path), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout
    assert "WARNINGS" not in result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = production_env(tmp_path)
    del env["SECRET_KEY"]
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=BACKEND, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode != 0 and "SECRET_KEY must be set" in result.stderr
