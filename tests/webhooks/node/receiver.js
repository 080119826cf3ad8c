// A vendor's webhook endpoint, written the way the Standard Webhooks docs say
// to write one: every request is checked with the published verifier
// (`new Webhook(secret).verify`) before anything in it is trusted, and a
// message id already handled is acknowledged but not handled twice.
//
// It listens on 127.0.0.1 on a free port and keeps what it saw, so the tests
// can check what was accepted and what was refused.

import http from "node:http";
import { Webhook, WebhookVerificationError } from "standardwebhooks";

export async function startReceiver(secret) {
  const seen = [];
  const handled = new Map();
  const webhook = new Webhook(secret);
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const headers = { ...req.headers };
      let payload;
      try {
        payload = webhook.verify(body, headers);
      } catch (refused) {
        if (!(refused instanceof WebhookVerificationError)) throw refused;
        seen.push({ headers, body, accepted: false, reason: refused.message });
        res.writeHead(400).end(`refused: ${refused.message}`);
        return;
      }
      seen.push({ headers, body, accepted: true, payload });
      const id = headers["webhook-id"];
      if (handled.has(id)) {
        res.writeHead(200).end("already handled");
        return;
      }
      handled.set(id, payload);
      res.writeHead(204).end();
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}/hooks/dcms`,
    seen,
    handled,
    accepted: () => seen.filter((s) => s.accepted),
    refused: () => seen.filter((s) => !s.accepted),
    stop: () => new Promise((resolve) => server.close(resolve)),
  };
}
