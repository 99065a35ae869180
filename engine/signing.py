"""Request signing for the Shop Open API (API.md §2).

Pure and dependency-free on purpose: the sandbox imports this module and nothing
else from the engine, so both sides of the wire agree on exactly one algorithm.

    sign = HMAC-SHA256(key=secret, msg=secret + path + sorted(k+v) + body + secret)

`sign` and `access_token` are excluded from the sorted query; the body is appended
only when the request is not multipart and a body exists, as the exact bytes sent.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

EXCLUDED_KEYS = frozenset({"sign", "access_token", "x-tts-access-token"})


def string_to_sign(path: str, query: Mapping[str, str], body: bytes | None = None,
                   content_type: str | None = None) -> bytes:
    """The exact pre-image (without the secret wrap) the platform signs."""
    parts = [path]
    for key in sorted(k for k in query if k not in EXCLUDED_KEYS):
        parts.append(f"{key}{query[key]}")
    pre = "".join(parts).encode()
    is_multipart = content_type is not None and content_type.lower().startswith("multipart/form-data")
    if body and not is_multipart:
        pre += body
    return pre


def sign(secret: str, path: str, query: Mapping[str, str], body: bytes | None = None,
         content_type: str | None = None) -> str:
    """Lower-case hex HMAC-SHA256 signature of a request."""
    key = secret.encode()
    message = key + string_to_sign(path, query, body, content_type) + key
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def verify(secret: str, signature: str, path: str, query: Mapping[str, str],
           body: bytes | None = None, content_type: str | None = None) -> bool:
    expected = sign(secret, path, query, body, content_type)
    return hmac.compare_digest(expected, signature or "")
