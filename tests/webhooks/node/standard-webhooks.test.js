// DCMS's notifications checked by the published Standard Webhooks verifier
// for Node, and the attacks it must refuse: a replay older than the
// tolerance, a tampered body, a rewritten timestamp, another secret.

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createHmac, randomBytes } from "node:crypto";
import { afterEach, beforeEach, test } from "node:test";
import { promisify } from "node:util";

import { startReceiver } from "./receiver.js";

const run = promisify(execFile);
const sender = process.env.DCMS_WEBHOOK_SENDER;
const newSecret = () => `whsec_${randomBytes(32).toString("base64")}`;

let secret;
let receiver;

beforeEach(async () => {
  assert.ok(sender, "DCMS_WEBHOOK_SENDER must name the built webhook_send example");
  secret = newSecret();
  receiver = await startReceiver(secret);
});

afterEach(async () => {
  await receiver.stop();
});

/** Runs DCMS's sender against the receiver: { ok, stdout, stderr }. */
async function send(...extra) {
  let secretArg = secret;
  if (extra[0] === "--secret") {
    secretArg = extra[1];
    extra = extra.slice(2);
  }
  const args = ["--url", receiver.url, "--secret", secretArg, ...extra];
  try {
    const { stdout, stderr } = await run(sender, args, { timeout: 60_000 });
    return { ok: true, stdout, stderr };
  } catch (failed) {
    return { ok: false, stdout: failed.stdout ?? "", stderr: failed.stderr ?? "" };
  }
}

/** Sends a request by hand, as an attacker replaying or editing one would. */
async function post(headers, body) {
  const { host, "content-length": _, connection: __, ...kept } = headers;
  const response = await fetch(receiver.url, { method: "POST", headers: kept, body });
  return response.status;
}

test("accepts a DCMS notification", async () => {
  const out = await send();
  assert.ok(out.ok, out.stderr);
  const [seen] = receiver.accepted();
  assert.equal(seen.payload.event, "statement.ready");
  assert.equal(seen.payload.statement.vendor, "corner-shop");
  assert.deepEqual(out.stdout.trim().split(" "), ["delivered", seen.headers["webhook-id"]]);
  assert.match(seen.headers["webhook-signature"], /^v1,/);
});

test("accepts a message inside the tolerance", async () => {
  const out = await send("--age", "240");
  assert.ok(out.ok, out.stderr);
  assert.equal(receiver.accepted().length, 1);
});

test("refuses a replay older than the tolerance", async () => {
  const out = await send("--age", "600");
  assert.ok(!out.ok && out.stderr.includes("HTTP 400"), out.stderr);
  assert.equal(receiver.accepted().length, 0);
  assert.equal(receiver.handled.size, 0);
  assert.match(receiver.refused()[0].reason, /too old/);
});

test("refuses a tampered body", async () => {
  assert.ok((await send()).ok);
  const [genuine] = receiver.accepted();
  const tampered = Buffer.from(
    genuine.body.toString().replace('"period":"2026-01"', '"period":"2026-02"'),
  );
  assert.notDeepEqual(tampered, genuine.body);
  assert.equal(await post(genuine.headers, tampered), 400);
  assert.equal(receiver.accepted().length, 1);
  assert.equal(receiver.handled.size, 1);
  assert.match(receiver.refused()[0].reason, /No matching signature/);
});

test("refuses an old message with a fresh timestamp", async () => {
  assert.ok(!(await send("--age", "600")).ok);
  const [old] = receiver.refused();
  const forged = { ...old.headers, "webhook-timestamp": String(Math.floor(Date.now() / 1000)) };
  assert.equal(await post(forged, old.body), 400);
  assert.equal(receiver.accepted().length, 0);
  assert.match(receiver.refused()[1].reason, /No matching signature/);
});

test("refuses another secret", async () => {
  const out = await send("--secret", newSecret());
  assert.ok(!out.ok && out.stderr.includes("HTTP 400"), out.stderr);
  assert.equal(receiver.accepted().length, 0);
});

test("a replay inside the tolerance is handled once", async () => {
  assert.ok((await send()).ok);
  const [genuine] = receiver.accepted();
  assert.equal(await post(genuine.headers, genuine.body), 200);
  assert.equal(receiver.handled.size, 1);
});

test("legacy headers ride along when asked for", async () => {
  assert.ok((await send("--legacy")).ok);
  const [seen] = receiver.accepted();
  const key = Buffer.from(secret.slice("whsec_".length), "base64");
  const expected = `sha256=${createHmac("sha256", key).update(seen.body).digest("hex")}`;
  assert.equal(seen.headers["x-dcms-signature"], expected);
  assert.ok((await send()).ok);
  assert.equal(receiver.accepted()[1].headers["x-dcms-signature"], undefined);
});
