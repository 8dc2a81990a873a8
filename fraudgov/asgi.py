"""ASGI entry point for the socket server: ``/ws/`` through Channels.

Production serves the HTTP views from gunicorn (fraudgov/wsgi.py) and routes only ``/ws/`` here
(deploy/nginx.conf.template). The HTTP route stays for ``/healthz`` and for ``./run``'s embedded
default, which serves everything from one uvicorn process.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fraudgov.settings")
# Django must be set up before anything imports models (the routing below does).
django_asgi_app = get_asgi_application()

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
