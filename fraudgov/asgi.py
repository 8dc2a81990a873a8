"""ASGI entry point: HTTP through Django, WebSockets through Channels."""

import gc
import io
import os
import sys

import django
from asgiref.sync import sync_to_async
from django.conf import settings
from django.core import signals
from django.core.exceptions import RequestAborted
from django.core.handlers.asgi import ASGIHandler, get_script_prefix
from django.core.handlers.base import BaseHandler
from django.http import FileResponse
from django.urls import get_resolver, set_script_prefix
from django.utils import translation

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fraudgov.settings")
# Django must be set up before anything imports models (the routing below does).
django.setup(set_prefix=False)

# A server process runs its event loop (sockets) and the request threads under one GIL; the
# interval after which a holder must yield it to a waiting thread is Python's own 5 ms unless
# GIL_SWITCH_INTERVAL says otherwise. It was 0.5 ms for the sockets' latency when the request
# path was slower (POST p50 90 ms at 20/s with 200 sockets); now bench_live at 20/s shows the
# same p50 either way (35-40 ms), while in bench_requests' burst 5 ms gave 137 against 126
# requests/s and 7.5 against 8.5 ms of server CPU per request (medians of three alternating
# runs): under load every forced switch was paid for.
sys.setswitchinterval(float(os.environ.get("GIL_SWITCH_INTERVAL", "0.005")))


class SyncASGIHandler(ASGIHandler):
    """Django's ASGI handler for a project whose views and middleware are all synchronous:
    each HTTP request is handled in one hop to a pool thread, as a WSGI server would.

    Django's own handler, profiled under bench/bench_requests.py, spent more on getting to the
    view than the view did:
    - it builds the middleware chain in async mode, and a sync-only middleware (WhiteNoise)
      splits it, so every MiddlewareMixin hook took a ``sync_to_async`` thread hop of its own;
    - it runs each request in a ``ThreadSensitiveContext``, which starts and joins a new
      thread per request for the request_started/finished signals;
    - run as ``thread_sensitive`` code, every request of the process, with all its waits on
      PostgreSQL and Redis, queued behind the one before it in a single thread.
    Here the request_started signal, the chain and (for a response that is not streamed) the
    request_finished signal run in one call in a pool thread. A request keeps its own database
    connection in any thread (Django keys them by the request's context) and hands it back to
    the pool when it finishes (fraudgov/pgpool). Async views still work (Django wraps them in
    ``async_to_sync``); a client disconnect no longer cancels a view, which a synchronous view
    could not honour anyway. This relies on ASGIHandler's helpers (read_body, create_request,
    send_response): re-check it when upgrading Django.
    """

    def __init__(self):
        BaseHandler.__init__(self)
        self.load_middleware(is_async=False)
        # Made once: building the wrapper per request was a quarter of the hop's cost (profiled).
        self._respond_in_thread = sync_to_async(self._respond, thread_sensitive=False)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            raise ValueError("Django can only handle ASGI/HTTP connections, not %s." % scope["type"])
        try:
            body_file = await self.read_body(receive)
        except RequestAborted:
            return
        try:
            response = await self._respond_in_thread(scope, body_file)
            try:
                await self.send_response(response, send)
            finally:
                if response.streaming:  # its body was read while sending: the request ends now
                    await sync_to_async(response.close, thread_sensitive=False)()
        finally:
            body_file.close()

    async def read_body(self, receive):
        """A body that came in one message (as a rule an API call's or a form's) is wrapped as
        it is: Django makes a spooled temporary file for every request, which showed in the
        server's profile under bench/bench_requests.py. A longer one goes to that file, as in
        Django."""
        message = await receive()
        if message["type"] == "http.request" and not message.get("more_body", False):
            return io.BytesIO(message.get("body", b""))
        first = [message]

        async def replayed():  # Django's loop, from the message already read
            return first.pop() if first else await receive()

        return await super().read_body(replayed)

    def _respond(self, scope, body_file):
        set_script_prefix(get_script_prefix(scope))
        signals.request_started.send(sender=self.__class__, scope=scope)
        request, response = self.create_request(scope, body_file)
        if request is not None:
            response = self.get_response(request)
            response._handler_class = self.__class__
            if isinstance(response, FileResponse):
                response.block_size = self.chunk_size
        if not response.streaming:
            response.close()  # request_finished: database connections go back to the pool
        return response


django_asgi_app = SyncASGIHandler()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from events.auth import TokenAuthMiddleware, TokenOrSession  # noqa: E402
from events.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        # An agency system's token needs no Origin (it sends none); the browser's cookie is
        # ambient, so only cookie sockets must come from a page of an allowed host.
        "websocket": TokenOrSession(
            token=TokenAuthMiddleware(URLRouter(websocket_urlpatterns)),
            session=AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
        ),
    }
)

# Import every view now, not on the first request a user sends to this process: that request
# took a second and, holding the import lock, stalled every other request of the process
# (bench/bench_requests.py: the whole POST tail at 50/s was a second worker's first request).
get_resolver().url_patterns  # noqa: B018 (the property imports them)
for language, _name in settings.LANGUAGES:  # and the translation catalogues
    translation.activate(language)
translation.deactivate()

# Everything imported so far lives as long as the process: move it out of the collector's
# reach. A full collection otherwise walked those ~140,000 objects, 20-60 ms added to about
# one page in twelve (the ring page's tail in bench/bench_cases.py).
gc.freeze()
