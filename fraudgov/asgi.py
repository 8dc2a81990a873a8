"""ASGI entry point: HTTP through Django, WebSockets through Channels."""

import os

import django
from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIHandler
from django.core.handlers.base import BaseHandler

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fraudgov.settings")
# Django must be set up before anything imports models (the routing below does).
django.setup(set_prefix=False)


class SyncChainASGIHandler(ASGIHandler):
    """Django's ASGI handler with the middleware chain run as one synchronous call.

    Django builds the chain in async mode under ASGI; a sync-only middleware (WhiteNoise) then
    splits it, and every MiddlewareMixin middleware runs each of its hooks through its own
    ``sync_to_async`` thread hop: about fifteen hops per request, a third of the server's CPU
    per API call in the profile (bench/bench_requests.py). Every view and middleware here is
    synchronous, so the chain is built as under WSGI and entered with one hop per request
    (async views still work: Django wraps them in ``async_to_sync``).

    The hop goes to a pool of threads, not to the one thread that ``thread_sensitive`` code
    shares: there every request of the process, with all its waits on PostgreSQL and Redis,
    queued behind the one before it, which held a server process to about 40 requests per
    second whatever the load (bench/bench_requests.py). A request keeps its own database
    connection in any thread (Django keys connections by the request's context) and hands it
    back to the pool when it ends (fraudgov/pgpool).
    """

    def __init__(self):
        BaseHandler.__init__(self)
        self.load_middleware(is_async=False)
        self._middleware_chain = sync_to_async(self._middleware_chain, thread_sensitive=False)


django_asgi_app = SyncChainASGIHandler()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from events.auth import SessionOrTokenAuthMiddleware  # noqa: E402
from events.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(
            SessionOrTokenAuthMiddleware(URLRouter(websocket_urlpatterns))
        ),
    }
)
