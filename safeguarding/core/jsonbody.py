"""One way to read a JSON request body, for every API view (docs/decisions/0059).

`read_json` refuses, with a status and a sentence for the sender's developer, what would
otherwise reach the database or the parser and fail there as a server error:

- a body that is not sent as `application/json` (400), or is over the view's size limit
  (413, said before a byte of it is read when the declared length is over);
- what is not JSON: bad syntax, bytes that are not UTF-8, `NaN`/`Infinity`, a number too
  large for a float (400);
- JSON nested more than MAX_DEPTH levels (400; the import and data set APIs need three);
- a NUL character (`\\u0000`) or a lone surrogate (`\\ud800` not paired) anywhere, in a
  field name or a value (400, naming the place): PostgreSQL cannot store either, and no
  agency's system means to send them.

The checks cost little on a large import: the NUL and surrogate walk runs only when the
raw bytes hold such an escape, and the depth walk visits containers only.
"""

from __future__ import annotations

import json
import math
import re
from collections import deque
from typing import Any

from django.http import HttpRequest

from safeguarding.core.refusals import Refused

MAX_DEPTH = 32

# The only ways JSON text can carry a NUL or a surrogate: as a \u escape (a raw NUL is a
# control character JSON refuses, and a surrogate's bytes are not UTF-8).
_SUSPECT_ESCAPE = re.compile(rb"\\u(?:0000|[dD][89a-fA-F])")
# After decoding, a paired surrogate escape has become one character: any left are lone.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class BodyRefused(Refused):
    """The body cannot be taken; `status` is 400 or 413 and the message says why."""

    code = "core.body_refused"

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def read_json(request: HttpRequest, *, max_bytes: int) -> Any:
    """The request's JSON body, checked as the module says; BodyRefused otherwise."""
    if (request.content_type or "") != "application/json":
        raise BodyRefused(400, "Send the body as JSON, with 'Content-Type: application/json'.")
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > max_bytes:
        raise BodyRefused(413, too_large(max_bytes))
    # Read from the stream: request.body would refuse above Django's own (smaller)
    # DATA_UPLOAD_MAX_MEMORY_SIZE with a bare 400.
    raw = request.read(max_bytes + 1)
    if len(raw) > max_bytes:
        raise BodyRefused(413, too_large(max_bytes))
    return parse(raw)


def too_large(max_bytes: int) -> str:
    return f"The body is over the limit of {max_bytes:,} bytes: send less in one request."


def parse(raw: bytes) -> Any:
    """JSON bytes to Python values, with the checks of `read_json` but the size."""
    try:
        body = json.loads(raw, parse_constant=_refuse_constant, parse_float=_finite_float)
    except RecursionError:
        raise BodyRefused(400, _too_deep()) from None
    except (UnicodeDecodeError, ValueError) as problem:
        raise BodyRefused(400, f"The body is not valid JSON: {problem}.") from None
    if _deeper_than(body, MAX_DEPTH):
        raise BodyRefused(400, _too_deep())
    if _SUSPECT_ESCAPE.search(raw):
        place = _unstorable_text(body)
        if place:
            raise BodyRefused(400, place)
    return body


def _too_deep() -> str:
    return f"The body is nested more than {MAX_DEPTH} levels deep."


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {text[:20]} is too large")
    return value


def _deeper_than(value: Any, limit: int) -> bool:
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        children = node.values() if type(node) is dict else node if type(node) is list else ()
        for child in children:
            if type(child) is dict or type(child) is list:
                stack.append((child, depth + 1))
    return False


def _unstorable_text(body: Any) -> str:
    """The first field name or value holding a NUL or a lone surrogate, said in words."""
    queue: deque[tuple[Any, str]] = deque([(body, "$")])
    while queue:
        node, path = queue.popleft()
        if isinstance(node, dict):
            for key, child in node.items():
                if _UNSTORABLE.search(key):
                    return _said(key, f"a field name in {path}")
                queue.append((child, f"{path}.{_safe(key)}"))
        elif isinstance(node, list):
            queue.extend((child, f"{path}[{number}]") for number, child in enumerate(node))
        elif isinstance(node, str) and _UNSTORABLE.search(node):
            return _said(node, f"the value at {path}")
    return ""


def _said(text: str, where: str) -> str:
    what = "a NUL character (\\u0000)" if "\x00" in text else "a lone surrogate"
    return (
        f"The body has {what} in {where} (list positions count from 0): "
        "no text may hold one. Nothing was taken."
    )


def _safe(key: str) -> str:
    """A field name fit to quote in a message."""
    return key if re.fullmatch(r"\w{1,60}", key) else repr(key[:60])
