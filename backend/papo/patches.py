"""Every place Papo reaches into a library's private code, and what it relies on there.

Papo changes or leans on code that daphne, autobahn, Twisted, Channels,
channels-redis, redis-py, psycopg and Django do not promise to keep (each
change is explained where it is made). An upgrade can change that code without
a word: a patch then does nothing, or the wrong thing, and nothing says so.
So each patch here names the private things it touches (``module:qualname``,
looked up as attributes, so an inherited method is found where it is defined
now) with a fingerprint of each, taken with the versions in ``TAKEN_WITH``
(the ones requirements/lock.txt pins). ``papo/tests/test_patch_canaries.py``
computes them again, in a fresh interpreter where no patch has been applied,
and fails per patch, naming what changed.

When one changes: read the library's new code against the patch (and its own
test), fix the patch if need be, then paste the new fingerprint printed by
``python -m papo.patches`` (run from backend/) and update ``TAKEN_WITH``.

A fingerprint is a hash of what the name stands for: a function's defining
module, qualified name and source (its tokens: comments, blank lines and
line breaks inside brackets do not count), a property's getter the same way,
a class's qualified name, any other value's ``repr``.
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
import io
import json
import sys
import textwrap
import tokenize
from dataclasses import dataclass
from importlib import metadata

# The versions the fingerprints below were taken with.
TAKEN_WITH = {
    "autobahn": "26.11.1",
    "channels": "4.3.2",
    "channels_redis": "4.3.0",
    "daphne": "4.2.3",
    "Django": "5.2.20",
    "psycopg": "3.3.9",
    "redis": "8.2.0",
    "Twisted": "26.10.0",
    "python": "3.11",
}

# Papo's own packages: none of their modules but this one may be imported where the
# originals are fingerprinted (bus.layers patches channels-redis as it is imported).
PAPO_PACKAGES = ("papo", "bus", "sites", "agents", "visitors", "conversations", "realtime",
                 "widget_api", "console", "attachments")


@dataclass(frozen=True)
class Patch:
    name: str  # the Papo function or class that makes the change (importable)
    does: str  # what it changes or relies on, in a line or two
    targets: dict[str, str]  # "module:qualname" -> fingerprint


PATCHES: tuple[Patch, ...] = (
    # --- papo/server_tuning.py (applied by papo.serve, in the server process only) ---
    Patch("papo.server_tuning.close_cleanly_on_protocol_errors",
          "wraps the factory's resetProtocolOptions to set failByDrop = False, which the "
          "protocol reads when it fails a connection",
          {
              "autobahn.websocket.protocol:WebSocketServerFactory.resetProtocolOptions":
                  "9d387de062adcce7",
              "autobahn.websocket.protocol:WebSocketProtocol._fail_connection": "e4c6062c50cbf3af",
              "autobahn.websocket.protocol:WebSocketProtocol._protocol_violation":
                  "6b937eb36550290d",
              "autobahn.websocket.protocol:WebSocketProtocol._invalid_payload": "add3caee9359aad1",
          }),
    Patch("papo.server_tuning.cap_only_what_clients_send",
          "replaces sendMessage, calling the original with maxMessagePayloadSize set to 0 "
          "(no limit) on the connection for a larger frame",
          {
              "autobahn.websocket.protocol:WebSocketProtocol.sendMessage": "28330c6682b2df67",
          }),
    Patch("papo.server_tuning.lighter_websocket_connections",
          "rebinds the module names pformat, hltype and hlval and Timings.__str__ (reads "
          "_timings); wraps setProtocolOptions to hand out a protocol class holding "
          "CONFIG_ATTRS, which _connectionMade then leaves alone (it copies only what is "
          "missing)",
          {
              "autobahn.websocket.protocol:pformat": "6282b668bcbc7176",
              "autobahn.websocket.protocol:hltype": "0e17928724769333",
              "autobahn.websocket.protocol:hlval": "3e7b7d7f7c9ebaf6",
              "autobahn.twisted.websocket:hltype": "0e17928724769333",
              "autobahn.twisted.websocket:hlval": "3e7b7d7f7c9ebaf6",
              "autobahn.websocket.protocol:Timings.__init__": "0940d961ddd74bdb",
              "autobahn.websocket.protocol:Timings.__str__": "3ff49dccabba1181",
              "autobahn.websocket.protocol:WebSocketServerFactory.setProtocolOptions":
                  "729569c7636f7248",
              "autobahn.websocket.protocol:WebSocketServerProtocol.CONFIG_ATTRS":
                  "fa594a01afb3c823",
              "autobahn.websocket.protocol:WebSocketServerProtocol._connectionMade":
                  "5a5e008893dd87bf",
              "autobahn.websocket.protocol:WebSocketProtocol._connectionMade": "57995e8a9968956a",
          }),
    Patch("papo.server_tuning.write_at_once",
          "replaces tcp.Connection.write (found in _newtls.ConnectionMixin, which hands "
          "TLS writes to the TLS layer), reading the write queue's private fields "
          "(_tempDataLen, dataBuffer, offset, _writeDisconnected) and calling writeSomeData",
          {
              "twisted.internet.tcp:Connection.write": "3f483d6aae7cb970",
              "twisted.internet.tcp:Connection.writeSomeData": "85d47c951bc760bc",
              "twisted.internet.abstract:FileDescriptor.__init__": "7d11aebdba1c57c5",
              "twisted.internet.abstract:FileDescriptor.doWrite": "a498d07e9a488eb8",
          }),
    # --- papo/accept_gate.py (installed by papo.serve) ---------------------------------
    Patch("papo.accept_gate.install",
          "wraps daphne's Server.listen_success, which Server.run hooks to each listener, "
          "to be handed every listening port",
          {
              "daphne.server:Server.listen_success": "da9ea95da3a2a828",
              "daphne.server:Server.run": "466525ebb095565d",
          }),
    Patch("papo.accept_gate.AcceptGate.watch",
          "replaces a port's doRead, capping numberAccepts, and its transport class, "
          "with which doRead builds each connection",
          {
              "twisted.internet.tcp:Port.doRead": "4a59419c22dbe8e4",
              "twisted.internet.tcp:Port.transport": "8068e32b3158c33e",
          }),
    Patch("papo.accept_gate._CountedServer",
          "a tcp.Server subclass whose instances become plain tcp.Server (same layout); "
          "a WebSocket's first write after the upgrade is its answer: the 101 goes out "
          "before succeedHandshake sets STATE_OPEN",
          {
              "twisted.internet.tcp:Server.__init__": "89d06cc22a58613c",
              "twisted.internet.tcp:Server.write": "3f483d6aae7cb970",
              "twisted.internet.tcp:Server.connectionLost": "eff1f4d97420b3b5",
              "twisted.internet.tcp:Server.__dictoffset__": "c6407e624d1ce856",
              "autobahn.websocket.protocol:WebSocketServerProtocol.succeedHandshake":
                  "2019cab47532f56a",
          }),
    # --- papo/body_cap.py (installed by papo.serve) -------------------------------------
    Patch("papo.body_cap.install",
          "wraps daphne's WebRequest gotLength (the channel's _path is the target; called "
          "by allHeadersReceived before its Expect: 100-continue), handleContentChunk (the "
          "transfer decoders' callback) and requestReceived; wraps Server.create_application, "
          "after which WebRequest.process queues self.content chunk by chunk",
          {
              "daphne.http_protocol:WebRequest.gotLength": "7d2f5667310dd4b5",
              "daphne.http_protocol:WebRequest.handleContentChunk": "c3b3db0076464594",
              "daphne.http_protocol:WebRequest.requestReceived": "6f6e17e4446e67ad",
              "daphne.http_protocol:WebRequest.process": "a9448123a33a5555",
              "twisted.web.http:HTTPChannel.allHeadersReceived": "1d302a7c27738273",
              "twisted.web.http:HTTPChannel.lineReceived": "35b4a0b108c18c34",
              "twisted.web.http:HTTPChannel._maybeChooseTransferDecoder": "74d8d5b5c1ae821f",
              "daphne.server:Server.create_application": "7cafae861c5ee6fd",
          }),
    # --- bus/layers.py ------------------------------------------------------------------
    Patch("bus.layers.create_blocking_pool",
          "replaces channels_redis.pubsub's module name create_pool (at import), which "
          "the shard's _ensure_redis calls with a host dict holding 'address'",
          {
              "channels_redis.pubsub:create_pool": "3f9937c061fd74ec",
              "channels_redis.utils:create_pool": "3f9937c061fd74ec",
              "channels_redis.pubsub:RedisSingleShardConnection._ensure_redis": "5d5e066b9234face",
          }),
    Patch("bus.layers._WatchedPubSub",
          "a redis-py PubSub whose on_connect, registered by connect() as the connection's "
          "connect callback, reports reconnects (reads channels and patterns)",
          {
              "redis.asyncio.client:PubSub.__init__": "f002e9c486e2046f",
              "redis.asyncio.client:PubSub.on_connect": "3d71ea831089e12f",
              "redis.asyncio.client:PubSub.connect": "dac44343ddbf152a",
              "redis.asyncio.client:Redis.pubsub": "37a31b520239c4cd",
          }),
    Patch("bus.layers._Shard",
          "overrides the shard's publish (without _lock), _ensure_redis and _do_receiving; "
          "uses _redis, _pubsub and _receive_message",
          {
              "channels_redis.pubsub:RedisSingleShardConnection.__init__": "32244a73dad49c52",
              "channels_redis.pubsub:RedisSingleShardConnection.publish": "100d613c313acb3b",
              "channels_redis.pubsub:RedisSingleShardConnection.subscribe": "e25623811b09dd66",
              "channels_redis.pubsub:RedisSingleShardConnection._ensure_redis": "5d5e066b9234face",
              "channels_redis.pubsub:RedisSingleShardConnection._do_receiving": "a41d0be07ea5940a",
              "channels_redis.pubsub:RedisSingleShardConnection._receive_message":
                  "8bdd80b5a5f196d9",
          }),
    Patch("bus.layers._LoopLayer",
          "overrides the loop layer's new_channel, receive and send (channels kept in its "
          "channels dict, never subscribed), rebuilds _shards, and sends to groups by "
          "_get_group_channel_name and _get_shard",
          {
              "channels_redis.pubsub:RedisPubSubLoopLayer.__init__": "8f80d01b7255cb4c",
              "channels_redis.pubsub:RedisPubSubLoopLayer.new_channel": "f432887a6038ea53",
              "channels_redis.pubsub:RedisPubSubLoopLayer.receive": "29f5d618e81abb55",
              "channels_redis.pubsub:RedisPubSubLoopLayer.send": "dbc53ff5bb28f12d",
              "channels_redis.pubsub:RedisPubSubLoopLayer.group_add": "d6d477eb904d8a54",
              "channels_redis.pubsub:RedisPubSubLoopLayer.group_discard": "025d6c914dde8fcb",
              "channels_redis.pubsub:RedisPubSubLoopLayer.group_send": "4e5248d645a9b769",
              "channels_redis.pubsub:RedisPubSubLoopLayer._get_shard": "44a7aad83d6462ff",
              "channels_redis.pubsub:RedisPubSubLoopLayer._get_group_channel_name":
                  "d3cf501379b7279d",
          }),
    Patch("bus.layers.PubSubChannelLayer",
          "overrides the layer's _get_layer (its _layers, _args, _kwargs), which "
          "_async_proxy calls, and calls channels_redis.utils._wrap_close",
          {
              "channels_redis.pubsub:RedisPubSubChannelLayer.__init__": "6b2ce87f28b92d97",
              "channels_redis.pubsub:RedisPubSubChannelLayer._get_layer": "e16c90ce153259e4",
              "channels_redis.pubsub:_async_proxy": "679a52f161ddee74",
              "channels_redis.utils:_wrap_close": "bbf1de70695de828",
          }),
    Patch("bus.layers.CoreChannelLayer",
          "overrides create_pool(index), which RedisLoopLayer.get_connection calls; reads "
          "hosts and brpop_timeout",
          {
              "channels_redis.core:RedisChannelLayer.__init__": "0fdfa0be247d90e9",
              "channels_redis.core:RedisChannelLayer.create_pool": "4642685bc173aed1",
              "channels_redis.core:RedisChannelLayer.brpop_timeout": "ef2d127de37b942b",
              "channels_redis.core:RedisLoopLayer.get_connection": "ac82ac93d29c2bfa",
          }),
    Patch("bus.layers.InMemoryLayer",
          "throttles InMemoryChannelLayer._clean_expired; replaces receive (one queue kept "
          "per channel while received from) and group_send, filling the queues of "
          "channels and groups as send does",
          {
              "channels.layers:InMemoryChannelLayer._clean_expired": "c366aa146d9c29ef",
              "channels.layers:InMemoryChannelLayer.receive": "ead1fc9a6cfa3f8f",
              "channels.layers:InMemoryChannelLayer.group_send": "afa723e6a431041b",
              "channels.layers:InMemoryChannelLayer.send": "4d0dd6d658cc1d63",
          }),
    # --- bus/db.py ----------------------------------------------------------------------
    Patch("bus.db._run",
          "sets a connection's health_check_done (unless errors_occurred) after the hop's "
          "close_old_connections(), so Django skips its SELECT 1",
          {
              "channels.db:DatabaseSyncToAsync.thread_handler": "2d5f204007ca94fd",
              "django.db:close_old_connections": "2320c8a7f023297e",
              "django.db.backends.base.base:BaseDatabaseWrapper.close_if_unusable_or_obsolete":
                  "d7b4d1f8074fcd21",
              "django.db.backends.base.base:BaseDatabaseWrapper.close_if_health_check_failed":
                  "7ce22d57efe33b36",
              "django.db.backends.base.base:BaseDatabaseWrapper._cursor": "621b6a195bebbf27",
              "django.db.backends.postgresql.base:DatabaseWrapper.close_if_health_check_failed":
                  "98516136b615bf28",
          }),
    # --- realtime/limits.py and papo/cache.py (Django's Redis cache) ---------------------
    Patch("realtime.limits._redis_count",
          "reaches the Redis client through the cache's private _cache and its get_client",
          {
              "django.core.cache.backends.redis:RedisCache._cache": "da816de9b17c723d",
              "django.core.cache.backends.redis:RedisCacheClient.get_client": "ebfac724712a0984",
          }),
    Patch("papo.cache.RedisCache",
          "sets RedisCache._class; its client overrides get_client with "
          "_get_connection_pool and _client",
          {
              "django.core.cache.backends.redis:RedisCache.__init__": "301113334397b17f",
              "django.core.cache.backends.redis:RedisCache._cache": "da816de9b17c723d",
              "django.core.cache.backends.redis:RedisCacheClient.__init__": "705186870854d566",
              "django.core.cache.backends.redis:RedisCacheClient.get_client": "ebfac724712a0984",
              "django.core.cache.backends.redis:RedisCacheClient._get_connection_pool":
                  "457d1a8cc458e070",
          }),
    # --- papo/prepared.py ---------------------------------------------------------------
    Patch("papo.prepared._preparing",
          "lifts the prepare_threshold Django sets to None so prepare=True prepares; relies "
          "on psycopg forgetting its names on DEALLOCATE ALL; keeps a count on the connection",
          {
              "django.db.backends.postgresql.base:DatabaseWrapper.get_connection_params":
                  "a1c82bb9ba2b41b4",
              "psycopg._preparing:PrepareManager.get": "c37379bf32b609b3",
              "psycopg._preparing:PrepareManager._should_discard": "23585f95a8a7321d",
              "psycopg._preparing:PrepareManager.clear": "68ca4a3c164957ce",
              "psycopg:Connection.__dictoffset__": "c6407e624d1ce856",
          }),
    # --- realtime/consumers/base.py -----------------------------------------------------
    Patch("realtime.consumers.base.PapoConsumer.dispatch",
          "replaces Channels' dispatch, dropping its aclose_old_connections()",
          {
              "channels.generic.websocket:AsyncWebsocketConsumer.dispatch": "10bb18b52bc2af47",
              "channels.consumer:get_handler_name": "2cb33b0633b8c05a",
          }),
    Patch("realtime.consumers.base.PapoConsumer.__call__",
          "says goodbye when daphne cancels the instance, and un-cancels: "
          "kill_all_applications gathers the cancelled instances, and the first to raise "
          "ends that wait for all; application_checker may cancel without a disconnect. "
          "_serve is AsyncConsumer.__call__ with dispatching.dispatch_many for "
          "await_many_dispatch",
          {
              "channels.generic.websocket:AsyncWebsocketConsumer.__call__": "5efc07d151fee5d1",
              "channels.utils:await_many_dispatch": "1cc70d0e9318fed4",
              "daphne.server:Server.kill_all_applications": "5f208e624f074ef3",
              "daphne.server:Server.application_checker": "25a15fa050493193",
          }),
)


def resolve(target: str) -> object:
    """``module:qualname`` looked up the way the patch meets it (attributes, so
    inherited ones resolve to where they are defined)."""
    module, _, qualname = target.partition(":")
    obj: object = importlib.import_module(module)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return obj


def code_tokens(source: str) -> str:
    """The source's tokens, without comments or layout that does not change the code."""
    skip = {tokenize.COMMENT, tokenize.NL, tokenize.ENDMARKER}
    marks = {tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT}
    return " ".join(
        tokenize.tok_name[tok.type] if tok.type in marks else tok.string
        for tok in tokenize.generate_tokens(io.StringIO(textwrap.dedent(source)).readline)
        if tok.type not in skip)


def describe(obj: object) -> str:
    """What a fingerprint is taken of (see the module's docstring)."""
    if inspect.ismethod(obj):  # a classmethod, looked up on its class
        obj = obj.__func__
    # property, functools' cached_property, Django's cached_property: the getter
    for getter in ("fget", "real_func", "func"):
        if not inspect.isfunction(obj) and inspect.isfunction(getattr(obj, getter, None)):
            obj = getattr(obj, getter)
    if inspect.isfunction(obj):
        return f"{obj.__module__}.{obj.__qualname__}\n{code_tokens(inspect.getsource(obj))}"
    if isinstance(obj, type):
        return f"class {obj.__module__}.{obj.__qualname__}"
    text = repr(obj)
    if " at 0x" in text:  # would change with every run
        raise TypeError(f"no stable fingerprint for {text}")
    return text


def fingerprint(target: str) -> str:
    try:
        text = describe(resolve(target))
    except (ImportError, AttributeError) as exc:
        return f"missing ({exc})"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def distribution(target: str) -> str:
    """The installed distribution that holds ``target``'s module (e.g. ``Twisted``)."""
    top = target.split(".", 1)[0].split(":", 1)[0]
    names = metadata.packages_distributions().get(top, [top])
    # autobahn and daphne put plugins in twisted/: the one named like the package owns it
    return next((n for n in names if n.lower().replace("-", "_") == top), names[0])


def current() -> dict:
    """Every target's fingerprint now, with the versions installed. Meant for a fresh
    interpreter: a patch already applied would be fingerprinted instead of the original."""
    papo = [m for m in sys.modules
            if m.split(".")[0] in PAPO_PACKAGES and m not in ("papo", __name__)]
    if papo:
        raise RuntimeError(f"Papo's modules are imported already, patches maybe applied: {papo}")
    targets = {t for patch in PATCHES for t in patch.targets}
    versions = {dist: metadata.version(dist)
                for dist in sorted({distribution(t) for t in targets})}
    versions["python"] = "{}.{}".format(*sys.version_info[:2])
    return {"fingerprints": {t: fingerprint(t) for t in sorted(targets)},
            "versions": versions}


def main(argv: list[str]) -> None:
    """Print each patch's targets with their fingerprints now (``--json``: as data)."""
    now = current()
    if "--json" in argv:
        print(json.dumps(now))
        return
    print("versions now:", ", ".join(f"{d} {v}" for d, v in now["versions"].items()))
    for patch in PATCHES:
        print(patch.name)
        for target, pinned in patch.targets.items():
            found = now["fingerprints"][target]
            mark = "" if found == pinned else f"    # changed, was {pinned!r}"
            print(f'    "{target}": "{found}",{mark}')


if __name__ == "__main__":
    main(sys.argv[1:])
