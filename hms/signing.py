"""Signed values as itsdangerous makes them, without its attempt to compress them first,
and signed and checked without its per-call set-up."""

import hmac
import time

from itsdangerous import URLSafeTimedSerializer
from itsdangerous.encoding import base64_decode, base64_encode, bytes_to_int, int_to_bytes
from itsdangerous.serializer import Serializer
from itsdangerous.signer import HMACAlgorithm
from itsdangerous.timed import TimestampSigner


class Uncompressed(URLSafeTimedSerializer):
    """itsdangerous' URL-safe timed serializer, signing the JSON as it is.

    itsdangerous tries zlib on everything it signs and keeps the result if it is shorter.
    What HMS signs never shrinks by much (a CSRF token, a session of a few short values),
    and setting zlib up for the try took most of the time to sign a CSRF token and 7 % of
    the instructions of a new visitor's home page. What it signs is read back as itsdangerous reads
    its own, and it still reads values signed compressed.

    Every request reads a session cookie and most sign or check a CSRF token; itsdangerous
    builds a signer and derives its key again on each call (15 to 20 µs a value). Here the
    keys are derived once, and a value is signed, and a good one read, in a few lines of
    the same recipe (payload.timestamp.HMAC, all URL-safe base64). Anything else (a bad or
    expired signature, a malformed value, a set-up the recipe does not cover) goes to
    itsdangerous' own code, so that failures raise exactly what itsdangerous raises.
    """

    def dump_payload(self, obj) -> bytes:
        return base64_encode(Serializer.dump_payload(self, obj))

    def _signing(self):
        """(digest, keys newest first) for the plain HMAC timestamp recipe, else None."""
        keys = self.secret_keys
        if getattr(self, "_signing_for", None) is not keys:
            signer = self.make_signer()
            plain = (
                type(signer) is TimestampSigner
                and type(signer.algorithm) is HMACAlgorithm
                and signer.sep == b"."
                and not self.fallback_signers
            )
            self._signing_of = plain and (
                signer.algorithm.digest_method,
                [signer.derive_key(key) for key in reversed(keys)],
            )
            self._signing_for = keys
        return self._signing_of

    def dumps(self, obj, salt=None):
        signing = salt is None and self._signing()
        if not signing:
            return super().dumps(obj, salt)
        digest, keys = signing
        value = self.dump_payload(obj) + b"." + base64_encode(int_to_bytes(int(time.time())))
        signed = value + b"." + base64_encode(hmac.digest(keys[0], value, digest))
        return signed.decode() if self.is_text_serializer else signed

    def loads(self, s, max_age=None, return_timestamp=False, salt=None):
        signing = salt is None and not return_timestamp and self._signing()
        if signing:
            digest, keys = signing
            signed = s.encode() if isinstance(s, str) else s
            value, _, signature = signed.rpartition(b".")
            payload, _, stamp = value.rpartition(b".")
            try:
                signature = base64_decode(signature)
                age = int(time.time()) - bytes_to_int(base64_decode(stamp))
            except Exception:  # malformed: itsdangerous says how
                pass
            else:
                if (
                    payload
                    and (max_age is None or 0 <= age <= max_age)
                    and any(
                        hmac.compare_digest(hmac.digest(key, value, digest), signature)
                        for key in keys
                    )
                ):
                    return self.load_payload(payload)
        return super().loads(s, max_age, return_timestamp, salt)
