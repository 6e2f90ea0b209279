"""A small language for the shapes of JSON values: checked in Python, written as TypeScript.

``realtime.outbound`` describes every frame the server sends with these; the
test suite checks every frame a server sends against them, and
``realtime.typegen`` writes the widget's and the console's TypeScript types
from them, so the three cannot drift apart. Plain classes, no dependency:
what the protocol needs is objects with required and optional keys, lists,
string-keyed maps, literals and nullables.
"""

from __future__ import annotations

from collections.abc import Iterator


class Shape:
    def errors(self, value: object, path: str) -> Iterator[str]:
        """What is wrong with ``value`` (nothing when it fits)."""
        raise NotImplementedError

    def ts(self) -> str:
        raise NotImplementedError

    def named(self) -> Iterator[Obj]:
        """Every named object inside, for the TypeScript interfaces."""
        return iter(())


class _Scalar(Shape):
    def __init__(self, ts: str, check) -> None:
        self._ts, self._check = ts, check

    def errors(self, value: object, path: str) -> Iterator[str]:
        if not self._check(value):
            yield f"{path}: expected {self._ts}, got {value!r:.80}"

    def ts(self) -> str:
        return self._ts


STR = _Scalar("string", lambda v: isinstance(v, str))
INT = _Scalar("number", lambda v: isinstance(v, int) and not isinstance(v, bool))
NUM = _Scalar("number", lambda v: isinstance(v, int | float) and not isinstance(v, bool))
BOOL = _Scalar("boolean", lambda v: isinstance(v, bool))
NULL = _Scalar("null", lambda v: v is None)
ANY = _Scalar("unknown", lambda v: True)


class Lit(Shape):
    """One of a few literal values (strings, in practice)."""

    def __init__(self, *values: object) -> None:
        self.values = values

    def errors(self, value: object, path: str) -> Iterator[str]:
        if value not in self.values or isinstance(value, bool) != isinstance(self.values[0], bool):
            yield f"{path}: expected one of {list(self.values)}, got {value!r:.80}"

    def ts(self) -> str:
        return " | ".join(_ts_literal(v) for v in self.values)


class Maybe(Shape):
    """``shape`` or null."""

    def __init__(self, shape: Shape) -> None:
        self.shape = shape

    def errors(self, value: object, path: str) -> Iterator[str]:
        if value is not None:
            yield from self.shape.errors(value, path)

    def ts(self) -> str:
        return f"{self.shape.ts()} | null"

    def named(self) -> Iterator[Obj]:
        return self.shape.named()


class Either(Shape):
    """Any of several shapes."""

    def __init__(self, *shapes: Shape) -> None:
        self.shapes = shapes

    def errors(self, value: object, path: str) -> Iterator[str]:
        found = [list(s.errors(value, path)) for s in self.shapes]
        if all(found):
            yield min(found, key=len)[0]

    def ts(self) -> str:
        return " | ".join(s.ts() for s in self.shapes)

    def named(self) -> Iterator[Obj]:
        for s in self.shapes:
            yield from s.named()


class List(Shape):
    def __init__(self, item: Shape) -> None:
        self.item = item

    def errors(self, value: object, path: str) -> Iterator[str]:
        if not isinstance(value, list):
            yield f"{path}: expected a list, got {value!r:.80}"
            return
        for i, v in enumerate(value):
            yield from self.item.errors(v, f"{path}[{i}]")

    def ts(self) -> str:
        inner = self.item.ts()
        return f"Array<{inner}>" if " " in inner else f"{inner}[]"

    def named(self) -> Iterator[Obj]:
        return self.item.named()


class Map(Shape):
    """An object used as a map: any string keys, every value of one shape."""

    def __init__(self, value: Shape) -> None:
        self.value = value

    def errors(self, value: object, path: str) -> Iterator[str]:
        if not isinstance(value, dict):
            yield f"{path}: expected an object, got {value!r:.80}"
            return
        for k, v in value.items():
            yield from self.value.errors(v, f"{path}.{k}")

    def ts(self) -> str:
        return f"Record<string, {self.value.ts()}>"

    def named(self) -> Iterator[Obj]:
        return self.value.named()


class Obj(Shape):
    """An object with these keys (``optional`` ones may be absent); no others.

    With a ``name`` it becomes a TypeScript interface of that name, and
    ``doc`` its comment."""

    def __init__(self, fields: dict[str, Shape], *, optional: dict[str, Shape] | None = None,
                 name: str | None = None, doc: str = "") -> None:
        self.fields, self.optional = fields, optional or {}
        self.name, self.doc = name, doc

    def errors(self, value: object, path: str) -> Iterator[str]:
        if not isinstance(value, dict):
            yield f"{path}: expected an object, got {value!r:.80}"
            return
        for key, shape in self.fields.items():
            if key not in value:
                yield f"{path}: {key} is missing"
            else:
                yield from shape.errors(value[key], f"{path}.{key}")
        for key, shape in self.optional.items():
            if key in value:
                yield from shape.errors(value[key], f"{path}.{key}")
        for key in value.keys() - self.fields.keys() - self.optional.keys():
            yield f"{path}: {key} is not in the schema"

    def body(self) -> str:
        lines = [f"  {k}: {s.ts()};" for k, s in self.fields.items()]
        lines += [f"  {k}?: {s.ts()};" for k, s in self.optional.items()]
        return "{\n" + "\n".join(lines) + "\n}"

    def ts(self) -> str:
        return self.name or self.body().replace("\n  ", " ").replace("\n", " ")

    def named(self) -> Iterator[Obj]:
        for s in [*self.fields.values(), *self.optional.values()]:
            yield from s.named()
        if self.name:
            yield self


def _ts_literal(value: object) -> str:
    if isinstance(value, str):
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
    return str(value).lower() if isinstance(value, bool) else str(value)
