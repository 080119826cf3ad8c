#!/usr/bin/env python3
"""Minimal SigV4-signed S3 request, standard library only (used by minio.sh).

    s3req.py METHOD URL [-H 'name: value']... [-d DATA]

Prints the status line and response headers, a blank line, then the body.
Exits 1 on HTTP status >= 400.  Credentials come from AWS_ACCESS_KEY_ID /
AWS_SECRET_ACCESS_KEY, the region from AWS_REGION (default us-east-1).

Why not curl --aws-sigv4: Debian bookworm's curl 7.88 sorts SignedHeaders
wrongly when one header name is a prefix of another (x-amz-server-side-encryption
and x-amz-server-side-encryption-aws-kms-key-id), so SSE-KMS puts fail with
SignatureDoesNotMatch.
"""
import argparse
import datetime
import hashlib
import hmac
import http.client
import os
import sys
import urllib.parse


def sign(key, msg):
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("method")
    ap.add_argument("url")
    ap.add_argument("-H", dest="headers", action="append", default=[])
    ap.add_argument("-d", dest="data", default="")
    a = ap.parse_args()

    access = os.environ["AWS_ACCESS_KEY_ID"]
    secret = os.environ["AWS_SECRET_ACCESS_KEY"]
    region = os.environ.get("AWS_REGION", "us-east-1")
    u = urllib.parse.urlsplit(a.url)
    body = a.data.encode()
    now = datetime.datetime.now(datetime.timezone.utc)
    amz_date, day = now.strftime("%Y%m%dT%H%M%SZ"), now.strftime("%Y%m%d")
    payload_hash = hashlib.sha256(body).hexdigest()

    headers = {"host": u.netloc, "x-amz-date": amz_date, "x-amz-content-sha256": payload_hash}
    for h in a.headers:
        name, _, value = h.partition(":")
        headers[name.strip().lower()] = value.strip()
    names = sorted(headers)  # plain sort of the names: what SigV4 wants
    canonical_query = "&".join(
        f"{urllib.parse.quote(k, safe='-_.~')}={urllib.parse.quote(v, safe='-_.~')}"
        for k, v in sorted(urllib.parse.parse_qsl(u.query, keep_blank_values=True)))
    canonical = "\n".join([
        a.method, urllib.parse.quote(u.path or "/", safe="/-_.~"), canonical_query,
        "".join(f"{n}:{headers[n]}\n" for n in names), ";".join(names), payload_hash])
    scope = f"{day}/{region}/s3/aws4_request"
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope,
                         hashlib.sha256(canonical.encode()).hexdigest()])
    key = sign(sign(sign(sign(("AWS4" + secret).encode(), day), region), "s3"), "aws4_request")
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    headers["authorization"] = (f"AWS4-HMAC-SHA256 Credential={access}/{scope}, "
                                f"SignedHeaders={';'.join(names)}, Signature={signature}")

    conn = http.client.HTTPConnection(u.hostname, u.port or 80, timeout=30)
    path = (u.path or "/") + (f"?{u.query}" if u.query else "")
    conn.request(a.method, path, body=body if body or a.method in ("PUT", "POST") else None,
                 headers=headers)
    r = conn.getresponse()
    out = [f"HTTP/1.1 {r.status} {r.reason}"] + [f"{k}: {v}" for k, v in r.getheaders()]
    sys.stdout.write("\n".join(out) + "\n\n")
    sys.stdout.write(r.read().decode(errors="replace"))
    sys.stdout.flush()
    return 1 if r.status >= 400 else 0


if __name__ == "__main__":
    sys.exit(main())
