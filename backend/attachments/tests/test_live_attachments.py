"""Attachments end to end on a real daphne, on both stacks: uploads over HTTP, files in
messages through the send path, downloads behind signed links, and every way a file
or a link could be turned against someone (docs/security.md, promise 12)."""

from __future__ import annotations

import io
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PIL import Image

from attachments import links
from papo.testing import files
from papo.testing.client import client_id
from papo.testing.server import BACKEND

pytestmark = [pytest.mark.live, pytest.mark.security]
# Every test here uploads from 127.0.0.1: the per-address HTTP rate is not what they test.
LIVE_ENV = {"PAPO_HTTP_RATE": "1000/m"}

EVERYTHING = "image,pdf,text,document,archive,media,markup,other"
BEACON = "http://127.0.0.1:9/beacon"  # nothing listens: only the bytes matter here


def up(live, team_key, data, name, token, **kw):
    return files.upload(live.server.http, f"/api/widget/{team_key}/uploads", data, name,
                        token=token, origin=kw.pop("origin", live.host.origin), **kw)


async def visitor_of(live, key):
    peer, welcome = await live.visitor(key)
    return peer, welcome["token"]


async def send_files(peer, ids, body="", **extra):
    return await peer.request({"type": "send", "client_id": client_id(), "body": body,
                               "attachments": ids, **extra})


def stored_files(live) -> set[Path]:
    root = Path(live.stack.env["PAPO_VAR_DIR"]) / "attachments"
    return {p for p in root.rglob("*") if p.is_file()}


# --- a screenshot, both ways ---------------------------------------------------------------------
async def test_a_screenshot_goes_to_the_agent_and_a_pdf_comes_back(live_papo):
    team = live_papo.team("ana")
    agent = team.agents["ana"]
    console = await live_papo.console(agent)
    peer, token = await visitor_of(live_papo, team.site_key)
    shot = files.png(1600, 900)
    answer = up(live_papo, team.site_key, shot, "Screen Shot.png", token)
    assert answer.status == 201, answer.body
    upload = answer.body
    assert upload["type"] == "image/png" and (upload["width"], upload["height"]) == (1600, 900)
    ack = await send_files(peer, [upload["id"]], "this is what I see")
    assert ack["type"] == "ack", ack
    seen = await console.expect("message", seq=ack["seq"])
    (shown,) = seen["message"]["attachments"]
    assert shown["name"] == "Screen Shot.png" and shown["size"] == upload["size"]
    assert shown["thumb_url"] and shown["url"] != shown["thumb_url"]
    # the agent's copy needs the agent's session; the widget's own copy needs nothing
    status, headers, body = files.get(live_papo.server.http, shown["url"],
                                      cookie=f"sessionid={agent['session']}")
    assert status == 200 and headers["content-type"] == "image/png"
    assert headers["content-disposition"].startswith("inline")
    assert files.get(live_papo.server.http, shown["url"])[0] == 404  # no session
    mine = await peer.expect("message", seq=ack["seq"])
    (own,) = mine["message"]["attachments"]
    # the ack alone shows the sender what they sent: the files, linked for them
    (acked,) = ack["attachments"]
    assert {**acked, "url": "", "thumb_url": ""} == {**own, "url": "", "thumb_url": ""}
    assert files.get(live_papo.server.http, acked["thumb_url"])[0] == 200
    status, headers, thumb = files.get(live_papo.server.http, own["thumb_url"])
    assert status == 200 and headers["cross-origin-resource-policy"] == "cross-origin"
    assert max(Image.open(io.BytesIO(thumb)).size) == 400
    # the agent answers with a PDF: a download, whatever it holds
    pdf = files.agent_upload(live_papo, team.site_key, agent, files.pdf(), "invoice.pdf")
    assert pdf.status == 201, pdf.body
    conv = ack["conversation"]
    reply = await console.request({"type": "send", "conversation": conv, "client_id": client_id(),
                                   "body": "", "attachments": [pdf.body["id"]]})
    assert reply["type"] == "ack", reply
    (acked,) = reply["attachments"]  # linked for the agent: their session opens it
    assert files.get(live_papo.server.http, acked["url"],
                     cookie=f"sessionid={agent['session']}")[0] == 200
    got = await peer.expect("message", seq=reply["seq"])
    (doc,) = got["message"]["attachments"]
    assert doc["type"] == "application/pdf" and doc["thumb_url"] is None and doc["width"] is None
    status, headers, body = files.get(live_papo.server.http, doc["url"])
    assert status == 200 and body == files.pdf()
    assert headers["content-type"] == "application/octet-stream"
    assert headers["content-disposition"] == 'attachment; filename="invoice.pdf"'
    # the console's list previews a files-only message by its files (no links there), and
    # the console knows how many files one message may carry
    listed = await console.request({"type": "list", "box": "mine"})
    (row,) = [c for c in listed["conversations"] if c["id"] == conv]
    assert row["last_message"]["body"] == ""
    assert row["last_message"]["files"] == [{"name": "invoice.pdf", "type": "application/pdf"}]
    assert console.welcome["limits"]["max_files"] == 10
    # welcome and history give the files again, with fresh links
    again, welcome = await live_papo.visitor(team.site_key, token=token)
    carried = [m for m in welcome["messages"] if m.get("attachments")]
    assert [m["attachments"][0]["name"] for m in carried] == ["Screen Shot.png", "invoice.pdf"]
    history = await again.request({"type": "history"})
    assert [m["attachments"][0]["id"] for m in history["messages"] if m.get("attachments")] == [
        upload["id"], pdf.body["id"]]


async def test_a_resend_attaches_nothing_twice_and_an_upload_retry_stores_one_copy(live_papo):
    team = live_papo.team("ana")
    peer, token = await visitor_of(live_papo, team.site_key)
    before = stored_files(live_papo)
    first = up(live_papo, team.site_key, files.png(), "a.png", token, upload_id="u-1")
    retry = up(live_papo, team.site_key, files.png(), "a.png", token, upload_id="u-1")
    assert (first.status, retry.status) == (201, 200)
    assert retry.body == {**first.body, "duplicate": True}
    assert len(stored_files(live_papo) - before) == 1  # small: its own thumbnail
    frame = {"type": "send", "client_id": client_id(), "body": "x",
             "attachments": [first.body["id"]]}
    ack = await peer.request(frame)
    again = await peer.request(frame)
    assert again["duplicate"] is True and again["seq"] == ack["seq"]
    assert [f["id"] for f in again["attachments"]] == [first.body["id"]]
    # the upload is the message's now: no other message can take it
    other = await send_files(peer, [first.body["id"]], "again")
    assert other["code"] == "attachment_not_found"


# --- what must never get through -----------------------------------------------------------------
async def test_hostile_files_are_refused_or_served_harmlessly(live_papo):
    """The table of docs/security.md, promise 12: each case, what the server did."""
    strict = live_papo.team("ana", site_fields={"file_max_bytes": 1000})
    loose = live_papo.team("bea", site_fields={"file_types": EVERYTHING})
    peer, token = await visitor_of(live_papo, strict.site_key)
    lpeer, ltoken = await visitor_of(live_papo, loose.site_key)

    def strict_up(data, name, **kw):
        return up(live_papo, strict.site_key, data, name, token, **kw)

    # 0 bytes, and one byte over the site's limit (1000 bytes): refused before storing
    assert strict_up(b"", "empty.txt").code == "file_empty"
    over = strict_up(b"a" * 1001, "big.txt")
    assert (over.status, over.code) == (413, "file_too_large")
    at = strict_up(b"a" * 1000, "fits.txt")
    assert at.status == 201 and at.body["type"] == "text/plain"
    # the type is the bytes', never the name's or the browser's
    html_png = strict_up(files.html_page(BEACON), "cat.png", content_type="image/png")
    assert (html_png.status, html_png.code) == (415, "type_not_allowed")
    svg = strict_up(files.svg_with_script(BEACON)[:990], "logo.svg", content_type="image/svg+xml")
    assert svg.code == "type_not_allowed"
    # a decompression bomb: refused from its header, before it is inflated
    bomb = files.png_bomb()
    started = time.monotonic()
    refused = up(live_papo, loose.site_key, bomb, "bomb.png", ltoken)
    assert (refused.status, refused.code) == (422, "image_too_large")
    assert time.monotonic() - started < 3
    # a name with ../ and U+202E: flattened, the override gone
    named = up(live_papo, loose.site_key, b"hello", "../../etc/\u202egnp.exe", ltoken)
    assert named.status == 201 and named.body["name"] == "etc_gnp.exe"
    # where a site takes markup, it is only ever a download
    served = {}
    for label, data, name in (("svg", files.svg_with_script(BEACON), "logo.svg"),
                              ("html", files.html_page(BEACON), "cat.png"),
                              ("polyglot", files.jpeg_html_polyglot(BEACON), "photo.jpg")):
        answer = up(live_papo, loose.site_key, data, name, ltoken)
        assert answer.status == 201, (label, answer.body)
        served[label] = answer.body
    assert served["svg"]["type"] == "image/svg+xml" and served["html"]["type"] == "text/html"
    assert served["polyglot"]["type"] == "image/jpeg"  # an image: decoded and re-encoded
    ack = await send_files(lpeer, [served[k]["id"] for k in ("svg", "html", "polyglot")])
    msg = (await lpeer.expect("message", seq=ack["seq"]))["message"]
    by_name = {a["name"]: a for a in msg["attachments"]}
    for name in ("logo.svg", "cat.png"):
        status, headers, body = files.get(live_papo.server.http, by_name[name]["url"])
        assert status == 200
        assert headers["content-type"] == "application/octet-stream"
        assert headers["content-disposition"].startswith("attachment;")
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["content-security-policy"] == "default-src 'none'; sandbox"
    status, headers, body = files.get(live_papo.server.http, by_name["photo.jpg"]["url"])
    assert status == 200 and headers["content-type"] == "image/jpeg"
    assert headers["content-security-policy"] == "default-src 'none'; sandbox"
    assert b"<script" not in body and b"<html" not in body  # the HTML did not survive


async def test_photos_lose_exif_and_gps_and_stand_upright(live_papo):
    team = live_papo.team("ana")
    peer, token = await visitor_of(live_papo, team.site_key)
    photo = files.jpeg_with_exif(640, 480, orientation=6)
    assert b"PapoCam" in photo
    answer = up(live_papo, team.site_key, photo, "holiday.jpeg", token)
    assert answer.status == 201
    assert (answer.body["width"], answer.body["height"]) == (480, 640)  # turned upright
    assert answer.body["name"] == "holiday.jpg"
    ack = await send_files(peer, [answer.body["id"]])
    (shown,) = (await peer.expect("message", seq=ack["seq"]))["message"]["attachments"]
    _, _, body = files.get(live_papo.server.http, shown["url"])
    img = Image.open(io.BytesIO(body))
    assert not img.getexif() and "exif" not in img.info and "icc_profile" not in img.info
    assert b"PapoCam" not in body and b"Model Secret" not in body
    assert img.getpixel((img.width - 10, 10))[0] > 200  # the yellow corner, rotated there
    gif = up(live_papo, team.site_key, files.animated_gif(), "wave.gif", token)
    assert gif.status == 201 and gif.body["type"] == "image/png" and gif.body["name"] == "wave.png"


# --- who may have which file ---------------------------------------------------------------------
async def test_nobody_sends_or_fetches_a_file_that_is_not_theirs(live_papo):
    team = live_papo.team("ana")
    agent = team.agents["ana"]
    other = live_papo.team("eve")
    console = await live_papo.console(agent)
    alice, atoken = await visitor_of(live_papo, team.site_key)
    mallory, mtoken = await visitor_of(live_papo, team.site_key)
    stranger, stoken = await visitor_of(live_papo, other.site_key)
    mine = up(live_papo, team.site_key, b"alice's file", "a.txt", atoken).body
    theirs = up(live_papo, other.site_key, b"other site", "b.txt", stoken).body
    # another visitor's upload id, another site's: refused, nothing stored
    for peer, ids in ((mallory, [mine["id"]]), (alice, [theirs["id"]])):
        refused = await send_files(peer, ids, "mine now")
        assert refused["code"] == "attachment_not_found"
    # a token of another site, no token, a foreign page: no upload at all
    assert up(live_papo, team.site_key, b"x", "x.txt", stoken).code == "token_invalid"
    assert up(live_papo, team.site_key, b"x", "x.txt", None).code == "token_invalid"
    assert up(live_papo, team.site_key, b"x", "x.txt", atoken,
              origin="https://evil.example").status == 403
    # an agent of another site cannot upload to this one; without CSRF nobody can
    eve = other.agents["eve"]
    assert files.agent_upload(live_papo, team.site_key, eve, b"x", "x.txt").status == 404
    assert files.agent_upload(live_papo, team.site_key, agent, b"x", "x.txt",
                              csrf="d" * 32).status == 403
    ack = await send_files(alice, [mine["id"]], "here")
    conv = ack["conversation"]
    (shown,) = (await alice.expect("message", seq=ack["seq"]))["message"]["attachments"]
    base = live_papo.server.http
    assert files.get(base, shown["url"])[0] == 200
    token = shown["url"].rsplit("/", 1)[1]
    value, sig = token.rsplit(":", 1)
    # a tampered signature, a link made for another file or conversation: 404
    assert files.get(base, f"/files/{value}:{sig[:-2]}xx")[0] == 404
    swapped = value.replace(mine["id"], theirs["id"])
    assert files.get(base, f"/files/{swapped}:{sig}")[0] == 404
    assert files.get(base, "/files/" + links.token(theirs["id"], conv, "widget", "file"))[0] == 404
    # an expired link: 410, even with a good signature
    old = links.token(mine["id"], conv, "widget", "file", expires=int(time.time()) - 1)
    status, _, body = files.get(base, "/files/" + old)
    assert status == 410 and b"link_expired" in body
    # an agent of another site: the console link is no use to them
    await console.expect("message", seq=ack["seq"])
    claim = await console.request({"type": "claim", "conversation": conv})
    assert claim["type"] == "ok"
    note_file = files.agent_upload(live_papo, team.site_key, agent, b"fraud notes",
                                   "notes.txt").body
    note = await console.request({"type": "send", "conversation": conv, "client_id": client_id(),
                                  "body": "internal", "internal": True,
                                  "attachments": [note_file["id"]]})
    assert note["type"] == "ack"
    seen = await console.expect("message", seq=note["seq"])
    (nf,) = seen["message"]["attachments"]
    assert files.get(base, nf["url"], cookie=f"sessionid={eve['session']}")[0] == 404
    assert files.get(base, nf["url"], cookie=f"sessionid={agent['session']}")[0] == 200
    # a note's file never reaches the visitor: not live, not in history, not by URL
    await alice.request({"type": "ping"})
    back, welcome = await live_papo.visitor(team.site_key, token=atoken)
    history = await back.request({"type": "history"})
    for frame in (*alice.frames, welcome, history):
        assert note_file["id"] not in str(frame)
    assert files.get(base, nf["url"])[0] == 404  # the console's link, without a session
    forged = links.token(note_file["id"], conv, "widget", "file")  # even a signed widget link
    assert files.get(base, "/files/" + forged)[0] == 404


# --- limits and lifecycle ------------------------------------------------------------------------
async def test_deleting_a_visitor_or_a_conversation_deletes_their_files(live_papo):
    team = live_papo.team("ana")
    peer, token = await visitor_of(live_papo, team.site_key)
    before = stored_files(live_papo)
    sent = up(live_papo, team.site_key, files.png(800, 600), "s.png", token).body
    kept = up(live_papo, team.site_key, b"not sent yet", "k.txt", token).body
    ack = await send_files(peer, [sent["id"]])
    new = stored_files(live_papo) - before
    assert len(new) == 3  # the image, its thumbnail, the unsent text
    script = ("from conversations.models import Conversation as C; "
              f"C.objects.get(pk={ack['conversation']}).delete()")
    subprocess.run([sys.executable, "manage.py", "shell", "-c", script], cwd=BACKEND,
                   env=live_papo.stack.environ(), check=True, capture_output=True)
    left = stored_files(live_papo) - before
    assert len(left) == 1  # the conversation's image and thumbnail are gone
    script = ("from visitors.models import Visitor as V; "
              f"V.objects.filter(attachments__public_id='{kept['id']}').delete()")
    subprocess.run([sys.executable, "manage.py", "shell", "-c", script], cwd=BACKEND,
                   env=live_papo.stack.environ(), check=True, capture_output=True)
    assert stored_files(live_papo) - before == set()


def test_a_body_over_the_cap_is_refused_before_it_arrives(live_papo):
    """2 GB announced, sent slowly: the 413 comes at once, not after 2 GB; a chunked
    body that grows past the cap is cut off as it does. Nothing waits for the body."""
    server = live_papo.server
    path = f"/api/widget/{live_papo.site_key}/uploads"
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        started = time.monotonic()
        sock.sendall(f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     "Content-Length: 2000000000\r\nContent-Type: image/png\r\n\r\n".encode())
        sock.sendall(b"\x89PNG" + b"\0" * 1000)  # a slow start of 2 GB
        answer = sock.recv(4096)
        took = time.monotonic() - started
    assert answer.startswith(b"HTTP/1.1 413"), answer[:100]
    assert b"file_too_large" in answer and took < 1.5
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     "Transfer-Encoding: chunked\r\n\r\n".encode())
        chunk = b"x" * 1024 * 1024
        answer = b""
        for _ in range(40):  # 40 MiB, past the 25 MiB cap
            try:
                sock.sendall(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
            except OSError:
                break
            sock.settimeout(0.01)
            try:
                answer += sock.recv(4096)
            except (TimeoutError, BlockingIOError):
                pass
            sock.settimeout(10)
            if answer:
                break
        if not answer:
            answer = sock.recv(4096)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:100]
    # any other path: 4 MiB at most
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(b"POST /console/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     b"Content-Length: 10000000\r\n\r\n")
        assert sock.recv(4096).startswith(b"HTTP/1.1 413")
    # and the server is fine
    peer_check = files.get(server.http, "/healthz")
    assert peer_check[0] == 200


def test_uploads_per_visitor_per_hour(live_papo):
    """Counted in the cache (Redis on the scaled stack): the 31st file in an hour is refused."""
    import asyncio

    team = live_papo.team("ana")

    async def token():
        peer, welcome = await live_papo.visitor(team.site_key)
        await peer.close()
        return welcome["token"]

    visitor = asyncio.run(token())
    codes = [up(live_papo, team.site_key, b"n%d" % i, "n.txt", visitor).status
             for i in range(30)]
    assert codes == [201] * 30
    last = up(live_papo, team.site_key, b"one more", "n.txt", visitor)
    assert (last.status, last.code) == (429, "upload_rate_limited")
    assert 0 < last.body["retry_after"] <= 3600 and last.headers["retry-after"]
