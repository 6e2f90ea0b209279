"""Search and filtered lists of the console on a big PostgreSQL database. Not a test.

    nice -n 10 python bench/search.py                    # 1,000,000 messages, 100,000 chats
    python bench/search.py --messages 100000 --conversations 10000 --repeat 5   # a try

A fresh PostgreSQL database (``Stack.scaled``: the test server, Redis DB of
``PAPO_TEST_REDIS_URL`` flushed) is migrated and seeded in SQL with
``generate_series`` (no rows cross the wire): three sites of 80 %, 15 % and 5 % of
the conversations, one visitor each (70 % named, 60 % with an e-mail), about ten
messages each (a system line, visitor and agent turns, 1 in 20 agent turns an
internal note) over the last year, sentences drawn from a Portuguese/Spanish/English
vocabulary with a long tail of made-up words (a word's rank ~ 1/frequency, as in
real text), order numbers, and a tag on one chat in five. The GIN index is built
after the rows, as a restore would; then VACUUM ANALYZE.

One daphne (production settings: DEBUG off) serves the measured agent, an admin of
the two larger sites (95 % of the rows). Each request goes over the console
socket one at a time, timed from send to reply on the client; every query runs
once to warm the caches, then ``--repeat`` times. Printed: per query the matches,
p50 / p95 / max in ms, and the p95 of all searches and of all lists; the JSON goes
to bench/results/search-<timestamp>.json.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "backend"))

from run import PAPO_ENV  # noqa: E402
from seeded import options, pct, save, scaled_stack  # noqa: E402

from conversations import search_schema  # noqa: E402
from papo.testing.client import Peer  # noqa: E402
from papo.testing.server import Daphne, Stack  # noqa: E402

COMMON = """o a de que e do da em um para é com não uma os no se na por mais as dos como mas
foi ao ele das tem à seu sua ou ser quando muito nos já está eu também só pelo pela até
isso ela entre era depois sem mesmo aos ter seus quem nas me esse eles estão você tinha
el la los las y en por con para una su al lo como más pero sus le ya o este sí porque
the to and of in is it you that for on with as have be at this are not but can
pedido entrega pagamento cartão boleto pix reembolso troca devolução prazo frete
produto compra conta senha login acesso cadastro assinatura cancelar plano fatura
cobrança nota fiscal endereço rastreio código atraso problema ajuda obrigado obrigada
olá oi bom dia boa tarde noite por favor desculpe aguardo retorno urgente atendimento
pedido envío pago tarjeta reembolso cambio devolución plazo producto compra cuenta
contraseña acceso suscripción cancelar factura cobro dirección seguimiento retraso
hola gracias buenos días ayuda order delivery payment refund invoice account password
shipping tracking subscription cancel help thanks hello please problem""".split()
FIRST = ("Ana Maria João José Antônio Francisco Carlos Paulo Pedro Lucas Luiz Marcos "
         "Luís Gabriel Rafael Daniel Marcelo Bruno Eduardo Felipe Raimundo Rodrigo Manoel "
         "Mariana Júlia Beatriz Letícia Camila Fernanda Patrícia Aline Sandra Juliana "
         "Lucía Sofía Valentina Mateo Santiago Sebastián Martina Alejandro Emily James "
         "Olivia Noah Emma Liam").split()
LAST = ("Silva Santos Oliveira Souza Rodrigues Ferreira Alves Pereira Lima Gomes Costa "
        "Ribeiro Martins Carvalho Almeida Lopes Soares Fernandes Vieira Barbosa Rocha Dias "
        "Nascimento Andrade Moreira Nunes Marques Machado Mendes Freitas García Martínez "
        "López González Hernández Pérez Sánchez Ramírez Torres Flores Smith Johnson").split()
DOMAINS = "gmail.com hotmail.com outlook.com yahoo.com.br uol.com.br empresa.com.br".split()
COLORS = ("#b91c1c", "#1d4ed8", "#7c3aed", "#047857")
SYLLABLES = ("ba be bi bo bu ca ce ci co cu da de di do du fa fe fi fo ga go la le li lo lu "
             "ma me mi mo mu na ne ni no nu pa pe pi po pu ra re ri ro ru sa se si so su ta "
             "te ti to tu va ve vi vo za zo xa que qui gua lha nho ção são").split()


def ascii_fold(s: str) -> str:
    import unicodedata
    return "".join(c for c in unicodedata.normalize("NFKD", s)
                   if not unicodedata.combining(c)).lower()


def vocabulary(tail: int) -> list[str]:
    """Common words first (the most frequent), then ``tail`` made-up ones."""
    rng = random.Random(22)
    made: list[str] = []
    seen = set(COMMON)
    while len(made) < tail:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
        if word not in seen:
            seen.add(word)
            made.append(word)
    return list(dict.fromkeys(COMMON)) + made


SEED_SQL = {
    "visitors": """
INSERT INTO visitors_visitor (id, public_id, site_id, name, email, external_id, verified,
    page_url, page_title, referrer, user_agent, locale, first_seen_at, last_seen_at, time_zone)
SELECT i, md5('v' || i), s.site,
       CASE WHEN i %% 10 < 7 THEN f.first || ' ' || l.last ELSE '' END,
       CASE WHEN i %% 10 < 6 THEN f.plain || '.' || l.plain || (i %% 1000) || '@'
                                 || (%(domains)s::text[])[1 + i %% 6] ELSE '' END,
       '', false, '', '', '', '', 'pt-BR', t.at, t.at, ''
FROM generate_series(1, %(n)s) i
CROSS JOIN LATERAL (SELECT CASE WHEN i %% 20 = 0 THEN %(small)s WHEN i %% 20 < 4 THEN %(mid)s
                                ELSE %(big)s END AS site) s
CROSS JOIN LATERAL (SELECT (%(firsts)s::text[])[1 + (i * 31) %% %(nf)s] AS first,
                           (%(firsts_plain)s::text[])[1 + (i * 31) %% %(nf)s] AS plain) f
CROSS JOIN LATERAL (SELECT (%(lasts)s::text[])[1 + (i * 17) %% %(nl)s] AS last,
                           (%(lasts_plain)s::text[])[1 + (i * 17) %% %(nl)s] AS plain) l
CROSS JOIN LATERAL (SELECT %(now)s - (%(n)s - i) * (interval '365 days' / %(n)s) AS at) t
""",
    "conversations": """
INSERT INTO conversations_conversation (id, status, last_seq, visitor_read_seq, agent_read_seq,
    created_at, updated_at, queued_at, first_agent_reply_at, resolved_at, assignee_id, site_id,
    visitor_id, visible_seq, ended_by, rating_comment, left_message)
SELECT v.id, st.status, k.k, k.k, k.k, v.first_seen_at,
       v.first_seen_at + k.k * interval '2 minutes', v.first_seen_at,
       CASE WHEN st.status <> 'waiting' THEN v.first_seen_at + interval '1 minute' END,
       CASE WHEN st.status = 'resolved' THEN v.first_seen_at + k.k * interval '2 minutes' END,
       CASE WHEN st.status <> 'waiting' THEN
            (%(agents)s::int[])[a.first + (v.id %% a.n)::int] END,
       v.site_id, v.id, k.k, CASE WHEN st.status = 'resolved' THEN 'agent' ELSE '' END, '', false
FROM visitors_visitor v
CROSS JOIN LATERAL (SELECT 1 + (v.id * 7919) %% 19 AS k) k
CROSS JOIN LATERAL (SELECT CASE WHEN v.id <= %(n)s * 0.97 THEN 'resolved'
                                WHEN v.id %% 3 = 0 THEN 'waiting' ELSE 'open' END AS status) st
CROSS JOIN LATERAL (SELECT CASE v.site_id WHEN %(big)s THEN 1 WHEN %(mid)s THEN %(mid_at)s
                                ELSE %(small_at)s END AS first,
                           CASE v.site_id WHEN %(big)s THEN %(nbig)s WHEN %(mid)s THEN %(nmid)s
                                ELSE %(nsmall)s END AS n) a
""",
    "messages": """
INSERT INTO conversations_message (conversation_id, seq, author, body, event, data, client_id,
    created_at, agent_id, internal, files)
SELECT c.id, s,
       CASE WHEN s = 2 THEN 'system' WHEN s %% 2 = 1 THEN 'visitor' ELSE 'agent' END,
       CASE WHEN s = 2 THEN '' ELSE
            (SELECT string_agg((%(words)s::text[])[floor(power(%(nw)s, random()))::int], ' ')
             FROM generate_series(1, 3 + (c.id * s) %% 17 ) g)
            || CASE WHEN (c.id + s) %% 10 = 0
                    THEN ' pedido ' || (10000 + (c.id * 37 + s) %% 90000) ELSE '' END
       END,
       CASE WHEN s = 2 THEN 'assigned' ELSE '' END, '{}', NULL,
       c.created_at + s * interval '1 minute',
       CASE WHEN s %% 2 = 0 AND s <> 2 THEN c.assignee_id END,
       s %% 2 = 0 AND s <> 2 AND (c.id + s) %% 20 = 0, '[]'
FROM conversations_conversation c CROSS JOIN generate_series(1, c.last_seq) s
""",
    "tags": """
INSERT INTO conversations_conversationtag (conversation_id, tag_id, added_at)
SELECT c.id, t.id, c.created_at
FROM conversations_conversation c
JOIN LATERAL (SELECT id FROM conversations_tag WHERE site_id = c.site_id
              ORDER BY id OFFSET (c.id / 5) %% 3 LIMIT 1) t ON true
WHERE c.id %% 5 = 1
""",
}


def seed(stack: Stack, conversations: int, messages: int, sites: dict, agents: dict) -> dict:
    import psycopg

    per_conv = messages / conversations  # 1 + (id * 7919) % 19 averages 10
    if abs(per_conv - 10) > 0.5:
        raise SystemExit("the seed writes about 10 messages per conversation")
    words = vocabulary(20_000)
    big, mid, small = (sites[n]["id"] for n in ("Big", "Mid", "Small"))
    by_site = {big: [], mid: [], small: []}
    for agent in agents.values():
        for site_id in agent["site_ids"]:
            by_site[site_id].append(agent["id"])
    flat = by_site[big] + by_site[mid] + by_site[small]
    params = {
        "n": conversations, "now": datetime.now(UTC), "domains": DOMAINS,
        "firsts": FIRST, "firsts_plain": [ascii_fold(f) for f in FIRST], "nf": len(FIRST),
        "lasts": LAST, "lasts_plain": [ascii_fold(f) for f in LAST], "nl": len(LAST),
        "big": big, "mid": mid, "small": small, "agents": flat,
        "mid_at": len(by_site[big]) + 1, "small_at": len(by_site[big]) + len(by_site[mid]) + 1,
        "nbig": len(by_site[big]), "nmid": len(by_site[mid]), "nsmall": len(by_site[small]),
        "words": words, "nw": len(words),
    }
    took = {}
    with psycopg.connect(stack.env["DATABASE_URL"], autocommit=True) as conn:
        conn.execute("SET maintenance_work_mem = '512MB'")
        conn.execute("DROP INDEX IF EXISTS conv_message_search")
        for name, sql in SEED_SQL.items():
            if name == "tags":
                for site_id, names in ((big, "billing bug vip refund"), (mid, "billing bug vip"),
                                       (small, "billing")):
                    for tag, color in zip(names.split(), COLORS, strict=False):
                        conn.execute("INSERT INTO conversations_tag (site_id, name, color, "
                                     "created_at) VALUES (%s, %s, %s, now())",
                                     (site_id, tag, color))
            started = time.monotonic()
            conn.execute(sql, params)
            took[name] = round(time.monotonic() - started, 1)
            print(f"  {name}: {took[name]} s", flush=True)
        for table in ("visitors_visitor", "conversations_conversation"):
            conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                         f"(SELECT max(id) FROM {table}))")
        started = time.monotonic()
        with conn.cursor() as cur:
            search_schema.pg_ensure(cur)  # the GIN index, after the rows
        took["gin_index"] = round(time.monotonic() - started, 1)
        print(f"  GIN index: {took['gin_index']} s", flush=True)
        started = time.monotonic()
        conn.execute("VACUUM ANALYZE")
        took["vacuum_analyze"] = round(time.monotonic() - started, 1)
        counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                  for t in ("conversations_conversation", "conversations_message")}
        sizes = {r[0]: r[1] for r in conn.execute(
            "SELECT relname, pg_size_pretty(pg_total_relation_size(oid)) FROM pg_class "
            "WHERE relname IN ('conversations_message', 'conv_message_search', "
            "'conversations_conversation', 'visitor_search')")}
    return {"seconds": took, "rows": counts, "sizes": sizes}


def searches(tag_id: int, mid_key: str) -> dict[str, dict]:
    return {
        "common word (pedido)": {"q": "pedido"},
        "common word, resolved only": {"q": "pedido", "status": "resolved"},
        "mid word (reembolso)": {"q": "reembolso"},
        "two words": {"q": "cancelar assinatura"},
        "prefix, accents aside (devolu)": {"q": "devolu"},
        "rare made-up word": {"q": vocabulary(20_000)[15_000]},
        "order number": {"q": "10190"},
        "visitor name (maria)": {"q": "maria"},
        "e-mail part (joao.silva)": {"q": "joao.silva"},
        "no match": {"q": "xyzzyq"},
        "word + tag + site": {"q": "entrega", "tag": tag_id, "site": mid_key},
        "word, last 30 days": {"q": "pagamento", "from": (datetime.now(UTC) - timedelta(
            days=30)).date().isoformat()},
    }


def lists(tag_id: int, mid_key: str, me: int) -> dict[str, dict]:
    month = (datetime.now(UTC) - timedelta(days=30)).date().isoformat()
    return {
        "everything": {},
        "open": {"status": "open"},
        "waiting, unassigned": {"status": "waiting", "assignee": "unassigned"},
        "mine": {"assignee": "me"},
        "resolved, mine": {"status": "resolved", "assignee": me},
        "tag": {"tag": tag_id},
        "last 30 days": {"from": month},
        "one site, resolved, tag": {"site": mid_key, "status": "resolved", "tag": tag_id},
    }


async def measure(server: Daphne, session: str, kind: str, cases: dict[str, dict],
                  repeat: int) -> dict[str, dict]:
    peer = await Peer.open(f"{server.ws}/ws/console/", origin=server.http,
                           cookie=f"sessionid={session}")
    await peer.send({"type": "hello", "v": 2})
    await peer.expect("welcome", timeout=30)
    out = {}
    for name, fields in cases.items():
        times = []
        for i in range(repeat + 1):
            started = time.perf_counter()
            reply = await peer.request({"type": kind, **fields}, timeout=60)
            took = (time.perf_counter() - started) * 1000
            if reply["type"] != kind:
                raise SystemExit(f"{name}: {reply}")
            if i:  # the first run warms the caches
                times.append(took)
        found = (len(reply["hits"]) + len(reply["visitors"]) if kind == "search"
                 else len(reply["conversations"]))
        out[name] = {"shown": found, "more": reply["cursor"] is not None,
                     "p50": round(statistics.median(times), 1), "p95": round(pct(times, 95), 1),
                     "max": round(max(times), 1), "all": [round(t, 2) for t in times]}
        # the next page, as a client scrolls
        if reply["cursor"]:
            times = []
            for _ in range(repeat):
                started = time.perf_counter()
                await peer.request({"type": kind, **fields, "cursor": reply["cursor"]}, timeout=60)
                times.append((time.perf_counter() - started) * 1000)
            out[name]["next_page_p95"] = round(pct(times, 95), 1)
        print(f"  {kind} {name}: {out[name]['p50']} / {out[name]['p95']} / {out[name]['max']} ms",
              flush=True)
    await peer.close()
    return out


def table(kind: str, rows: dict[str, dict]) -> str:
    lines = [f"| {kind} | shown | more | p50 ms | p95 ms | max ms | next page p95 ms |",
             "|---|---|---|---|---|---|---|"]
    for name, r in rows.items():
        lines.append(f"| {name} | {r['shown']} | {'yes' if r['more'] else 'no'} | {r['p50']} | "
                     f"{r['p95']} | {r['max']} | {r.get('next_page_p95', '')} |")
    every = [t for r in rows.values() for t in r["all"]]
    lines.append(f"| **all {len(every)}** | | | {round(statistics.median(every), 1)} | "
                 f"**{round(pct(every, 95), 1)}** | {round(max(every), 1)} | |")
    return "\n".join(lines)


async def main() -> None:
    args = options(__doc__)
    spec = {"sites": [{"name": n, "origins": ["http://bench.papo.invalid"]}
                      for n in ("Big", "Mid", "Small")],
            "agents": [{"username": "bench", "sites": ["Big", "Mid"], "role": "admin"}]
            + [{"username": f"agent{i:02}", "sites": [site]} for i, site in
               enumerate(["Big"] * 11 + ["Mid"] * 3 + ["Small"], 1)]}
    with scaled_stack(args, spec) as (stack, seeded):
        sites = seeded["sites"]
        site_of = {"bench": ["Big", "Mid"]} | {
            a["username"]: a["sites"] for a in spec["agents"][1:]}
        agents = {u: {"id": a["id"], "site_ids": [sites[s]["id"] for s in site_of[u]]}
                  for u, a in seeded["agents"].items()}
        print(f"seeding {args.conversations:,} conversations, ~{args.messages:,} messages",
              flush=True)
        seeding = seed(stack, args.conversations, args.messages, sites, agents)
        print(f"  rows: {seeding['rows']}, sizes: {seeding['sizes']}", flush=True)
        import psycopg
        with psycopg.connect(stack.env["DATABASE_URL"]) as conn:
            tag_id = conn.execute("SELECT id FROM conversations_tag WHERE site_id = %s "
                                  "AND name = 'vip'", (sites["Mid"]["id"],)).fetchone()[0]
        server = Daphne(stack, {**PAPO_ENV, "PAPO_CHECK_FRAMES": "0"}).start()
        try:
            session, me = seeded["agents"]["bench"]["session"], seeded["agents"]["bench"]["id"]
            mid_key = sites["Mid"]["key"]
            found = await measure(server, session, "search", searches(tag_id, mid_key),
                                  args.repeat)
            listed = await measure(server, session, "filter", lists(tag_id, mid_key, me),
                                   args.repeat)
        finally:
            server.stop()
    report = "\n\n".join([table("search", found), table("filter", listed)])
    print(report)
    save("search", {"args": vars(args), "seeding": seeding, "search": found,
                    "filter": listed, "table": report})


if __name__ == "__main__":
    asyncio.run(main())
