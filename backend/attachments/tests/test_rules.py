"""The rules of attachments, in process: names, types from bytes, images re-encoded, links,
the intake's refusals and the request-body guard under a streaming ASGI server."""

from __future__ import annotations

import asyncio
import io
import time

import pytest
from PIL import Image

from attachments import actions, images, links, names, sniff
from papo import body_cap
from papo.errors import PapoError
from papo.testing import files

BEACON = "http://127.0.0.1:9/b"


@pytest.mark.parametrize(("raw", "safe"), [
    ("../../etc/\u202egnp.exe", "etc_gnp.exe"),
    ("..\\..\\boot.ini", "boot.ini"),
    ("a\x00b\x1fc\x7f.txt", "abc.txt"),
    ("\u200finvoice\u2066.pdf\u2069", "invoice.pdf"),
    ("Cafe\u0301 menu.pdf", "Café menu.pdf"),  # NFC
    ("  .hidden  ", "hidden"),
    ("report.pdf.   ", "report.pdf"),
    ('a"b<c>d|e?.txt', "a_b_c_d_e_.txt"),
    ("line\u2028break.txt", "line break.txt"),
    ("zero\u200bwidth\ufeff.txt", "zerowidth.txt"),
    ("\u0645\u0631\u062d\u0628\u0627.txt", "\u0645\u0631\u062d\u0628\u0627.txt"),  # Arabic kept
    ("", "file"), ("...", "file"), (None, "file"),
])
def test_file_names_are_made_safe(raw, safe):
    assert names.safe_name(raw) == safe


def test_long_names_keep_their_extension():
    name = names.safe_name("x" * 500 + ".docx")
    assert len(name) == names.MAX_CHARS and name.endswith(".docx")
    assert names.with_extension("photo.jpeg", "jpg") == "photo.jpg"
    assert names.with_extension("noext", "png") == "noext.png"


@pytest.mark.parametrize(("data", "kind", "content_type"), [
    (files.png(), "image", "image/png"),
    (files.jpeg_with_exif(), "image", "image/jpeg"),
    (files.animated_gif(), "image", "image/gif"),
    (files.pdf(), "pdf", "application/pdf"),
    (b"hello\nworld\n", "text", "text/plain"),
    ("ol\u00e1 mundo".encode(), "text", "text/plain"),
    (files.html_page(BEACON), "markup", "text/html"),
    (b"  \n<p>hi</p>", "markup", "text/html"),
    (b"see javascript:alert(1) here", "markup", "text/html"),
    (b"plain text that mentions <script> later", "markup", "text/html"),
    (files.svg_with_script(BEACON), "markup", "image/svg+xml"),
    (b'<?xml version="1.0"?><a/>', "markup", "application/xml"),
    (files.jpeg_html_polyglot(BEACON), "image", "image/jpeg"),
    (b"MZ\x90\x00" + b"\x00" * 60, "other", "application/x-msdownload"),
    (b"\x00\x01\x02binary", "other", "application/octet-stream"),
    (b"\x1f\x8b\x08\x00", "archive", "application/gzip"),
])
def test_the_type_comes_from_the_bytes(data, kind, content_type):
    found = sniff.sniff(data[: sniff.HEAD])
    assert (found.kind, found.content_type) == (kind, content_type)


def test_office_files_are_told_from_zips(tmp_path):
    import zipfile

    for inside, expected in ((["[Content_Types].xml", "word/document.xml"], "document"),
                             (["a.txt"], "archive")):
        path = tmp_path / "f.zip"
        with zipfile.ZipFile(path, "w") as zf:
            for n in inside:
                zf.writestr(n, "x")
        data = path.read_bytes()
        assert sniff.sniff(data[:sniff.HEAD], str(path)).kind == expected


def test_images_are_re_encoded_from_their_pixels(tmp_path):
    path = tmp_path / "in.jpg"
    path.write_bytes(files.jpeg_with_exif(800, 600, orientation=6))
    out = images.reencode(str(path), "image/jpeg")
    data = out.file.read()
    img = Image.open(io.BytesIO(data))
    assert (out.width, out.height) == (600, 800) == img.size
    assert not img.getexif() and b"PapoCam" not in data
    assert max(Image.open(out.thumb).size) == images.THUMB_BOX[0]
    path.write_bytes(files.jpeg_html_polyglot(BEACON))
    assert b"<script" not in images.reencode(str(path), "image/jpeg").file.read()


@pytest.mark.parametrize("side", [30_000, 8_000])  # past Pillow's own limit, and within it
def test_a_decompression_bomb_is_refused_before_it_is_inflated(tmp_path, side):
    path = tmp_path / "bomb.png"
    path.write_bytes(files.png_bomb(side, side))
    started = time.process_time()
    with pytest.raises(PapoError) as err:
        images.reencode(str(path), "image/png")
    assert err.value.code == "image_too_large"
    assert time.process_time() - started < 0.5  # nothing was decoded
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"garbage" * 10)
    with pytest.raises(PapoError) as err:
        images.reencode(str(path), "image/png")
    assert err.value.code == "image_invalid"


def test_links_are_signed_bound_and_expiring():
    token = links.token("f_abc", 41, "widget", "thumb")
    link = links.read(token)
    assert (link.public_id, link.conversation_id, link.audience, link.variant) == (
        "f_abc", 41, "widget", "thumb")
    value, sig = token.rsplit(":", 1)
    for forged in (value.replace(".41.", ".42.") + ":" + sig, value.replace("wt", "ct") + ":" + sig,
                   value + ":" + sig[:-1] + ("A" if sig[-1] != "A" else "B"), "garbage", ""):
        with pytest.raises(PapoError) as err:
            links.read(forged)
        assert err.value.code == "not_found"
    old = links.token("f_abc", 41, "widget", "file", expires=int(time.time()) - 1)
    with pytest.raises(PapoError) as err:
        links.read(old)
    assert err.value.code == "link_expired"


@pytest.mark.django_db
def test_the_intake_refuses_before_it_stores(make_site, make_visitor):
    site = make_site(file_max_bytes=100)
    who = actions.Uploader(site=site, visitor=make_visitor(site))

    def take(data: bytes, name: str = "f.txt", length: int | None = None):
        return actions.do_upload(who, io.BytesIO(data), len(data) if length is None else length,
                                 name, None)

    for data, code in ((b"", "file_empty"), (b"x" * 101, "file_too_large"),
                       (files.html_page(BEACON)[:90], "type_not_allowed")):
        with pytest.raises(PapoError) as err:
            take(data)
        assert err.value.code == code
    with pytest.raises(PapoError) as err:  # a body longer than it said
        take(b"x" * 50, length=10)
    assert err.value.code == "file_too_large"
    row, duplicate = take(b"x" * 100)
    assert row.ready and row.size == 100 and not duplicate
    site.file_max_bytes = 0
    with pytest.raises(PapoError) as err:
        take(b"x")
    assert err.value.code == "uploads_disabled"
    with pytest.raises(PapoError):
        actions.check_ids(["a", "a"])
    with pytest.raises(PapoError):
        actions.check_ids(["x"] * 11)


def test_the_asgi_guard_caps_a_streamed_body():
    """Under an ASGI server that streams bodies (not daphne, where body_cap.install
    caps them first): an announced size over the cap is refused without reading, and a
    body that grows past it ends with a 413 and a disconnect for the app."""
    sent: list[dict] = []
    seen: list[dict] = []

    async def app(scope, receive, send):
        while True:
            message = await receive()
            seen.append(message)
            if message["type"] == "http.disconnect" or not message.get("more_body"):
                return

    async def run(headers, chunks):
        queue = [{"type": "http.request", "body": c, "more_body": True} for c in chunks]
        queue.append({"type": "http.request", "body": b"", "more_body": False})

        async def receive():
            return queue.pop(0)

        async def send(message):
            sent.append(message)

        scope = {"type": "http", "path": "/console/login/", "headers": headers}
        await body_cap.guard(app)(scope, receive, send)

    cap = body_cap.cap_for("/console/login/")
    asyncio.run(run([(b"content-length", str(cap + 1).encode())], []))
    assert sent[0]["status"] == 413 and seen == []
    sent.clear()
    asyncio.run(run([], [b"x" * (cap // 2)] * 3))
    assert sent[0]["status"] == 413 and seen[-1]["type"] == "http.disconnect"
    assert body_cap.cap_for("/api/widget/pk_x/uploads") > cap
