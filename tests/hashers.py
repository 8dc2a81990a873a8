"""Django's PBKDF2 hasher for the test process, computing each hash once.

A PBKDF2 hash costs about half a second on purpose, and the tests pay it again and again for
the same few inputs: ``seed_agencies`` checks the demo password of twenty users whenever it
runs on a seeded world (ten seconds a call), and hashes it afresh after each transactional
test's flush. The hashes are the real ones (same algorithm name, iterations and digest), so
whatever checks them with Django's own hashers (the production boot's gunicorn, the embedded
default) accepts them. The test process uses one salt for the new hashes it makes. The tests'
uvicorn remembers the hashes it checks too (tests/server_app.py).
"""

from functools import lru_cache

from django.contrib.auth.hashers import PBKDF2PasswordHasher

PBKDF2 = "django.contrib.auth.hashers.PBKDF2PasswordHasher"
MEMO_PBKDF2 = "tests.hashers.MemoPBKDF2PasswordHasher"


def server_password_hashers() -> list[str]:
    """Django's hashers, their PBKDF2 one remembering what it computed (the same hashes)."""
    from django.conf import global_settings

    return [MEMO_PBKDF2 if h == PBKDF2 else h for h in global_settings.PASSWORD_HASHERS]


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
