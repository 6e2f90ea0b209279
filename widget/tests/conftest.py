"""Fixtures for the widget's real-browser tests.

The live backend is the backend's own test harness (``papo.testing.live``):
a real daphne on a free port and a host page server on another port (another
origin). The widget is built first, because daphne picks its static
directories when it starts.
"""

from __future__ import annotations

import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

from papo.testing.browser import browser  # noqa: F401 (the fixture)
from papo.testing.live import start_live, stop_live

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"


@pytest.fixture(scope="session")
def widget_dist() -> Path:
    """A fresh build of the widget (the build also enforces the size budget)."""
    if not shutil.which("node"):
        pytest.fail("node is needed to build the widget")
    subprocess.run(["node", "widget/build.mjs"], cwd=REPO, check=True)
    shutil.rmtree(ARTIFACTS / "hosts", ignore_errors=True)  # host pages of earlier runs
    return REPO / "widget" / "dist" / "papo"


@pytest.fixture(scope="module")
def live_papo(widget_dist, request):
    """A real daphne (embedded stack) and a host page server on another port,
    with the test module's ``LIVE_ENV`` (as in the backend's suites).

    The widget's behaviour does not depend on the stack; the backend suites
    cover the scaled one.
    """
    live = start_live("embedded", env=getattr(request.module, "LIVE_ENV", None))
    yield live
    stop_live(live)


class Shop:
    """A fresh site on the live backend and its host page (embed_snippet.html).

    Each test gets its own site, so agents left online by another test never
    take its conversations. The host page is the real embed_snippet.html with
    the demo's backend URL and site key swapped for the live ones, written
    where the host page server (another origin) serves it.
    """

    def __init__(self, live, **site_opts) -> None:
        self.live = live
        self.name = "shop-" + uuid.uuid4().hex[:8]
        site = live.new_site(self.name, **site_opts)
        self.key = site["key"]
        self.secret = site["secret"]

    def configure(self, **fields) -> None:
        """Changes widget settings of the site (as its admin would)."""
        self.live.stack.manage(
            "shell",
            "-c",
            "from sites.models import Site; "
            f"Site.objects.filter(key={self.key!r}).update(**{fields!r})",
        )

    def page_url(
        self,
        *,
        hostile: bool = True,
        locale: str | None = None,
        before_load: str = "",
        attrs: dict[str, str] | None = None,
        body: str = "",
        key: str | None = None,
        server: str | None = None,
    ) -> str:
        """The host page; ``before_load`` is page script run right after the Papo stub,
        ``attrs`` more attributes of the script tag (``{"data-color": "#aa3300"}``),
        ``body`` HTML put first in the page, ``key`` another site key than the shop's,
        ``server`` another address of the live server (a proxy in front of it)."""
        html = (REPO / "embed_snippet.html").read_text()
        html = html.replace("http://127.0.0.1:8000", server or self.live.server.http)
        html = html.replace("pk_demo_papo_site", key or self.key)
        if attrs:
            tag = " ".join(f'{name}="{value}"' if value else name for name, value in attrs.items())
            html = html.replace('data-site-key="', f'{tag} data-site-key="')
        if body:
            html = html.replace("<body>", f"<body>{body}", 1)
        if before_load:
            stub_end = html.index("</script>", html.index("Papo: copy from here")) + 9
            html = f"{html[:stub_end]}\n  <script>{before_load}</script>{html[stub_end:]}"
        if not hostile:
            start, end = html.index("<style>"), html.index("</style>") + len("</style>")
            html = html[:start] + html[end:]
        if locale:
            html = html.replace('data-site-key="', f'data-locale="{locale}" data-site-key="')
        out = ARTIFACTS / "hosts"
        out.mkdir(parents=True, exist_ok=True)
        name = f"{self.name}-{uuid.uuid4().hex[:6]}.html"
        (out / name).write_text(html)
        return f"{self.live.host.origin}/test-artifacts/hosts/{name}"

    def agent(self, name: str = "ana") -> dict:
        return self.live.new_agents(name, site=self.name)[name]


@pytest.fixture(scope="session")
def make_shop():
    return Shop


@pytest.fixture
def shop(live_papo) -> Shop:
    return Shop(live_papo)
