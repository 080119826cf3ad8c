"""DCMS's notifications checked by the published Standard Webhooks verifier
for Python, and the attacks it must refuse: a replay older than the
tolerance, a tampered body, a rewritten timestamp, another secret."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
import urllib.error
import urllib.request

from conftest import Send, new_secret
from receiver import Receiver


def post(receiver: Receiver, headers: dict[str, str], body: bytes) -> int:
    """Sends a request by hand, as an attacker replaying or editing one would."""
    request = urllib.request.Request(receiver.url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as refused:
        return int(refused.code)


def test_accepts_a_dcms_notification(receiver: Receiver, send: Send) -> None:
    out = send()
    assert out.returncode == 0, out.stderr
    [seen] = receiver.accepted()
    assert seen.payload["event"] == "statement.ready"
    assert seen.payload["statement"]["vendor"] == "corner-shop"
    assert seen.payload["statement"]["period"] == "2026-01"
    assert out.stdout.split() == ["delivered", seen.headers["webhook-id"]]
    assert seen.headers["webhook-signature"].startswith("v1,")
    assert abs(int(seen.headers["webhook-timestamp"]) - time.time()) < 60


def test_accepts_a_message_inside_the_tolerance(receiver: Receiver, send: Send) -> None:
    out = send("--age", "240")
    assert out.returncode == 0, out.stderr
    assert len(receiver.accepted()) == 1


def test_refuses_a_replay_older_than_the_tolerance(receiver: Receiver, send: Send) -> None:
    out = send("--age", "600")
    assert out.returncode != 0 and "HTTP 400" in out.stderr, out.stderr
    assert receiver.accepted() == [] and receiver.handled == {}
    [refused] = receiver.refused()
    assert "too old" in refused.reason


def test_refuses_a_tampered_body(receiver: Receiver, send: Send) -> None:
    assert send().returncode == 0
    [genuine] = receiver.accepted()
    tampered = genuine.body.replace(b'"period":"2026-01"', b'"period":"2026-02"')
    assert tampered != genuine.body
    assert post(receiver, genuine.headers, tampered) == 400
    assert len(receiver.accepted()) == 1 and len(receiver.handled) == 1
    assert "No matching signature" in receiver.refused()[0].reason


def test_refuses_an_old_message_with_a_fresh_timestamp(receiver: Receiver, send: Send) -> None:
    assert send("--age", "600").returncode != 0
    [old] = receiver.refused()
    forged = dict(old.headers, **{"webhook-timestamp": str(int(time.time()))})
    assert post(receiver, forged, old.body) == 400
    assert receiver.accepted() == []
    assert "No matching signature" in receiver.refused()[1].reason


def test_refuses_another_secret(receiver: Receiver, send: Send) -> None:
    out = send(secret_=new_secret())
    assert out.returncode != 0 and "HTTP 400" in out.stderr, out.stderr
    assert receiver.accepted() == []


def test_a_replay_inside_the_tolerance_is_handled_once(receiver: Receiver, send: Send) -> None:
    assert send().returncode == 0
    [genuine] = receiver.accepted()
    assert post(receiver, genuine.headers, genuine.body) == 200
    assert len(receiver.handled) == 1, "the receiver de-duplicates on webhook-id"


def test_legacy_headers_ride_along_when_asked_for(receiver: Receiver, send: Send, secret: str) -> None:
    assert send("--legacy").returncode == 0
    [seen] = receiver.accepted()
    key = base64.b64decode(secret.removeprefix("whsec_"))
    expected = "sha256=" + hmac.new(key, seen.body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(seen.headers["x-dcms-signature"], expected)
    assert send().returncode == 0
    assert "x-dcms-signature" not in receiver.accepted()[1].headers
