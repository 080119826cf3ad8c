"""A vendor's webhook endpoint, written the way the Standard Webhooks docs
say to write one: every request is checked with the published verifier
(``standardwebhooks.Webhook.verify``) before anything in it is trusted, and
a message id already handled is acknowledged but not handled twice.

It listens on 127.0.0.1 on a free port, in a background thread, and keeps
what it saw so the tests can check what was accepted and what was refused.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


@dataclass
class Seen:
    """One request as it arrived, and what the receiver decided."""

    headers: dict[str, str]
    body: bytes
    accepted: bool
    reason: str = ""
    payload: Any = None


@dataclass
class Receiver:
    secret: str
    seen: list[Seen] = field(default_factory=list)
    handled: dict[str, Any] = field(default_factory=dict)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/hooks/dcms"

    def start(self) -> "Receiver":
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("content-length", "0"))
                body = self.rfile.read(length)
                headers = {k.lower(): v for k, v in self.headers.items()}
                status, text = receiver.handle(headers, body)
                self.send_response(status)
                self.send_header("content-type", "text/plain")
                self.end_headers()
                self.wfile.write(text.encode())

            def log_message(self, *args: object) -> None:
                pass  # the tests report what matters

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def handle(self, headers: dict[str, str], body: bytes) -> tuple[int, str]:
        try:
            payload = Webhook(self.secret).verify(body, headers)
        except WebhookVerificationError as refused:
            self.seen.append(Seen(headers, body, accepted=False, reason=str(refused)))
            return 400, f"refused: {refused}"
        self.seen.append(Seen(headers, body, accepted=True, payload=payload))
        msg_id = headers["webhook-id"]
        if msg_id in self.handled:
            return 200, "already handled"
        self.handled[msg_id] = payload
        return 204, ""

    def accepted(self) -> list[Seen]:
        return [s for s in self.seen if s.accepted]

    def refused(self) -> list[Seen]:
        return [s for s in self.seen if not s.accepted]


def to_json(payload: Any) -> str:
    return json.dumps(payload, sort_keys=True)
