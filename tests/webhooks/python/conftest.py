"""Fixtures: a receiver on 127.0.0.1, and DCMS's webhook sender (a Rust
binary built from dcms-aws/examples/webhook_send.rs, named by
DCMS_WEBHOOK_SENDER) to post real notifications to it."""

from __future__ import annotations

import base64
import os
import secrets
import subprocess
from collections.abc import Iterator
from typing import Callable

import pytest

from receiver import Receiver

Send = Callable[..., subprocess.CompletedProcess[str]]


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


@pytest.fixture
def secret() -> str:
    return new_secret()


@pytest.fixture
def receiver(secret: str) -> Iterator[Receiver]:
    r = Receiver(secret).start()
    yield r
    r.stop()


@pytest.fixture
def send(receiver: Receiver, secret: str) -> Send:
    sender = os.environ.get("DCMS_WEBHOOK_SENDER")
    if not sender or not os.access(sender, os.X_OK):
        pytest.fail("DCMS_WEBHOOK_SENDER must name the built webhook_send example")

    def run(*extra: str, secret_: str | None = None) -> subprocess.CompletedProcess[str]:
        args = [sender, "--url", receiver.url, "--secret", secret_ or secret, *extra]
        return subprocess.run(args, capture_output=True, text=True, timeout=60)

    return run
