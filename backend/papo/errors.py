"""The one exception every action raises when it refuses something.

``code`` is a stable protocol error code (docs/protocol.md lists them all);
consumers turn it into an ``error`` frame, HTTP views into a JSON body.
"""

from __future__ import annotations

import math


class PapoError(Exception):
    def __init__(self, code: str, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.retry_after = retry_after

    def frame(self, ref: object = None) -> dict:
        frame: dict = {"type": "error", "code": self.code, "message": self.message, "ref": ref}
        if self.retry_after is not None:
            # to the hundredth, rounded up: a client that waits as told is never early
            frame["retry_after"] = math.ceil(self.retry_after * 100 - 1e-9) / 100
        return frame
