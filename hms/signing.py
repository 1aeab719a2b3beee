"""Signed values as itsdangerous makes them, without its attempt to compress them first."""

from itsdangerous import URLSafeTimedSerializer
from itsdangerous.encoding import base64_encode
from itsdangerous.serializer import Serializer


class Uncompressed(URLSafeTimedSerializer):
    """itsdangerous' URL-safe timed serializer, signing the JSON as it is.

    itsdangerous tries zlib on everything it signs and keeps the result if it is shorter.
    What HMS signs never shrinks by much (a CSRF token, a session of a few short values),
    and setting zlib up for the try took most of the time to sign a CSRF token and 7 % of
    the instructions of a new visitor's home page. What it signs is read back as itsdangerous reads
    its own, and it still reads values signed compressed.
    """

    def dump_payload(self, obj) -> bytes:
        return base64_encode(Serializer.dump_payload(self, obj))
