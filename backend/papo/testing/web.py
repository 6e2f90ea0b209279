"""A cookie-keeping HTTP client for Papo's pages (the console's and the admin's),
posting forms the way a browser does: with their CSRF token and every field."""

from __future__ import annotations

from html.parser import HTMLParser
from http.cookiejar import CookieJar
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, Request, build_opener


class Browser:
    """A real login form post, CSRF token and all."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = CookieJar()
        self.opener = build_opener(HTTPCookieProcessor(self.jar))

    def cookie(self, name: str) -> str | None:
        return next((c.value for c in self.jar if c.name == name), None)

    def get(self, path: str) -> int:
        with self.opener.open(self.base + path, timeout=30) as res:
            return res.status

    def page(self, path: str) -> str:
        """The page's HTML."""
        with self.opener.open(self.base + path, timeout=30) as res:
            return res.read().decode()

    def post(self, path: str, data: dict) -> str:
        """POST the form with the CSRF token; returns the URL landed on after redirects."""
        return self.submit(path, data)[0]

    def submit(self, path: str, data: dict | list[tuple[str, str]]) -> tuple[str, str]:
        """POST the form with the CSRF token (``data`` as pairs for repeated names);
        returns the URL landed on after redirects and that page's HTML."""
        pairs = list(data.items()) if isinstance(data, dict) else list(data)
        body = urlencode([*pairs, ("csrfmiddlewaretoken", self.cookie("csrftoken"))]).encode()
        with self.opener.open(Request(self.base + path, data=body), timeout=30) as res:
            return res.geturl(), res.read().decode()

    def login(self, username: str, password: str, path: str = "/console/login/",
              next_url: str = "/console/") -> str:
        self.get(path)
        self.post(path, {"username": username, "password": password, "next": next_url})
        session = self.cookie("sessionid")
        assert session, f"login of {username} at {path} set no session"
        return session


class _Fields(HTMLParser):
    """What a browser would submit from a page's forms (minus the buttons)."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = {k: v or "" for k, v in attrs}
        name = None if "disabled" in a else a.get("name")  # a browser sends no disabled field
        if tag == "input" and name and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") in ("checkbox", "radio"):
                if "checked" in a:
                    self.values[name] = a.get("value") or "on"
            else:
                self.values[name] = a.get("value", "")
        elif tag == "select" and name:
            self._select = name
            self.values.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in a:
            self.values[self._select] = a.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.values[name] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            # a browser drops the one newline that may follow <textarea>
            self.values[self._textarea] = self.values[self._textarea].removeprefix("\n")
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.values[self._textarea] += data


def form_fields(html: str) -> dict[str, str]:
    """Every named field of the page's forms with the value a browser would send."""
    parser = _Fields()
    parser.feed(html)
    return {k: v for k, v in parser.values.items() if k != "csrfmiddlewaretoken"}
