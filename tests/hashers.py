"""Django's PBKDF2 hasher for the test process, computing each hash once.

A PBKDF2 hash costs about half a second on purpose, and the tests pay it again and again for
the same few inputs: ``seed_agencies`` checks the demo password of twenty users whenever it
runs on a seeded world (ten seconds a call), and hashes it afresh after each transactional
test's flush. The hashes are the real ones (same algorithm name, iterations and digest): the
server and worker processes, which keep Django's own hashers, check them as in production.
Only the test process remembers them, and it uses one salt for the new hashes it makes.
"""

from functools import lru_cache

from django.contrib.auth.hashers import PBKDF2PasswordHasher


@lru_cache(maxsize=1024)
def _encode(password: str, salt: str, iterations: int | None) -> str:
    return PBKDF2PasswordHasher().encode(password, salt, iterations)


@lru_cache(maxsize=1)
def _salt() -> str:
    return PBKDF2PasswordHasher().salt()


class MemoPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    """``pbkdf2_sha256`` as Django computes it, remembered per (password, salt, iterations)."""

    def salt(self):
        return _salt()

    def encode(self, password, salt, iterations=None):
        return _encode(password, salt, iterations)
