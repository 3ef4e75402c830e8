"""The one ASGI application: Socket.IO mounted over Django."""

import os

import django
import socketio

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kulvex.settings")
django.setup()

from django.core.asgi import get_asgi_application  # noqa: E402

from kulvex.realtime import RealtimeServer  # noqa: E402

realtime = RealtimeServer()
application = socketio.ASGIApp(
    realtime.sio,
    other_asgi_app=get_asgi_application(),
    on_startup=realtime.startup,
    on_shutdown=realtime.shutdown,
)
