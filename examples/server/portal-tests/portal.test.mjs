// The customer portal end to end in headless Chromium (Debian's, driven by
// playwright-core): sign in, see a credit made through the API, transfer,
// open a receipt, get a code that a vendor then redeems through the API;
// plus the page's security and accessibility promises. Screenshots at
// desktop and phone width go to $DCMS_TEST_OUTPUT.
//
// Environment (set by scripts/test-server.sh from `dcms-server dev-keys`):
// DCMS_PORTAL_BASE, DCMS_ALICE_ACCOUNT, DCMS_BOB_ACCOUNT,
// DCMS_CUSTOMER_TOKEN, DCMS_CUSTOMER2_TOKEN, DCMS_VENDOR_TOKEN,
// DCMS_TEST_OUTPUT, DCMS_CHROMIUM (default /usr/bin/chromium).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { randomUUID } from "node:crypto";
import { chromium } from "playwright-core";

const env = (name) => {
  const v = process.env[name];
  assert.ok(v, `${name} is not set`);
  return v;
};
const BASE = env("DCMS_PORTAL_BASE");
const ALICE = env("DCMS_ALICE_ACCOUNT");
const BOB = env("DCMS_BOB_ACCOUNT");
const OUT = env("DCMS_TEST_OUTPUT");
mkdirSync(OUT, { recursive: true });

async function api(method, path, token, body) {
  const headers = { Authorization: `Bearer ${token}` };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    headers["Idempotency-Key"] = randomUUID();
  }
  const r = await fetch(BASE + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: r.status, headers: r.headers, json: await r.json().catch(() => null) };
}

async function available(account, token) {
  const r = await api("GET", `/v1/accounts/${account}/balances`, token);
  const b = r.json.balances.find((x) => x.currency === "USD");
  return b ? b.available : 0;
}

let browser;
let page;

before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.DCMS_CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox"],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
});

after(async () => {
  await browser?.close();
});

test("a customer signs in and sees a credit made through the API", async () => {
  const credit = await api("POST", "/v1/vendors/corner-shop/credits", env("DCMS_VENDOR_TOKEN"),
    { account: ALICE, total: "6.63", tendered: "10.00", receipt_no: "portal-1" });
  assert.equal(credit.status, 201);
  const before = await available(ALICE, env("DCMS_CUSTOMER_TOKEN"));
  await page.goto(BASE + "/");
  await page.getByLabel("Access token").fill(env("DCMS_CUSTOMER_TOKEN"));
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByText("Signed in.").waitFor();
  assert.equal(await page.locator("#account").textContent(), ALICE);
  const usd = page.locator('#balances li[data-currency="USD"]');
  assert.equal(await usd.getAttribute("data-available"), String(before));
  assert.match(await page.locator("#history").textContent(), /change credit at corner-shop/);
  assert.match(await page.locator("#history tr").first().textContent(), /\+37 USD/);
  await page.screenshot({ path: `${OUT}/portal-desktop.png`, fullPage: true });
});

test("a receipt opens from the history", async () => {
  await page.locator("#history tr").first().getByRole("button", { name: /Receipt/ }).click();
  const link = page.getByRole("link", { name: "Open receipt" });
  await link.waitFor();
  const href = await link.getAttribute("href");
  const r = await fetch(new URL(href, BASE));
  assert.equal(r.status, 200);
  assert.match(await r.text(), /0\.37/);
});

test("a transfer moves points to another account", async () => {
  const mine = await available(ALICE, env("DCMS_CUSTOMER_TOKEN"));
  const bobs = await available(BOB, env("DCMS_CUSTOMER2_TOKEN"));
  await page.getByLabel("To account").fill(BOB);
  await page.locator("#transfer-currency").selectOption("USD");
  await page.getByLabel("Points", { exact: true }).fill("5");
  await page.getByRole("button", { name: "Send" }).click();
  await page.getByText("Sent 5 points.").waitFor();
  assert.equal(await page.locator('#balances li[data-currency="USD"]').getAttribute("data-available"), String(mine - 5));
  assert.equal(await available(BOB, env("DCMS_CUSTOMER2_TOKEN")), bobs + 5);
});

test("a code from the portal lets the vendor redeem through the API, once", async () => {
  const mine = await available(ALICE, env("DCMS_CUSTOMER_TOKEN"));
  await page.locator("#code-currency").selectOption("USD");
  await page.getByLabel("Most points the shop may take").fill("20");
  await page.getByRole("button", { name: "Get a code" }).click();
  await page.getByText("Your code is ready.").waitFor();
  const code = (await page.locator("#code-digits").textContent()).trim();
  assert.match(code, /^[0-9]{8}$/);
  const qr = page.getByRole("img", { name: "QR code of your one-time code" });
  assert.ok(await qr.isVisible());
  assert.ok(await qr.evaluate((img) => img.complete && img.naturalWidth > 0), "the QR image did not render");
  const vendor = env("DCMS_VENDOR_TOKEN");
  const r = await api("POST", "/v1/vendors/corner-shop/redemptions", vendor, { account: ALICE, code, points: 12 });
  assert.equal(r.status, 201, JSON.stringify(r.json));
  const again = await api("POST", "/v1/vendors/corner-shop/redemptions", vendor, { account: ALICE, code, points: 1 });
  assert.equal(again.status, 422);
  assert.equal(again.json.code, "code_refused");
  assert.equal(await available(ALICE, env("DCMS_CUSTOMER_TOKEN")), mine - 12);
});

test("the page sends a strict CSP, runs no inline script and stores no token", async () => {
  const r = await fetch(BASE + "/");
  const csp = r.headers.get("content-security-policy");
  assert.match(csp, /frame-ancestors 'none'/);
  assert.match(csp, /script-src 'self'(;|$)/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  const html = await r.text();
  assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, "an inline script");
  assert.doesNotMatch(html, /\son[a-z]+=/i, "an inline event handler");
  const stored = await page.evaluate(() => ({
    local: localStorage.length,
    session: sessionStorage.length,
    cookie: document.cookie,
  }));
  assert.deepEqual(stored, { local: 0, session: 0, cookie: "" });
  const js = await (await fetch(BASE + "/portal/app.js")).text();
  assert.doesNotMatch(js, /\b(localStorage|sessionStorage)\s*[.[]|document\.cookie\s*=/);
  // An inline script injected into the page is blocked by the policy.
  const ran = await page.evaluate(() => {
    window.__inlineRan = false;
    const s = document.createElement("script");
    s.textContent = "window.__inlineRan = true";
    document.body.append(s);
    return window.__inlineRan;
  });
  assert.equal(ran, false);
});

test("every field has a label, focus is visible, text has contrast", async () => {
  const unlabelled = await page.evaluate(() =>
    [...document.querySelectorAll("input, select, textarea")]
      .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute("aria-label"))
      .map((el) => el.id));
  assert.deepEqual(unlabelled, []);
  const ratio = await page.evaluate(() => {
    const lum = (rgb) => {
      const [r, g, b] = rgb.match(/\d+/g).slice(0, 3).map((v) => {
        const c = Number(v) / 255;
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const worst = [];
    for (const sel of ["body", "button", "label", "td", "a"]) {
      const el = document.querySelector(sel);
      if (!el) continue;
      const st = getComputedStyle(el);
      let bg = st.backgroundColor;
      if (bg === "rgba(0, 0, 0, 0)") bg = getComputedStyle(document.documentElement).backgroundColor;
      const [a, b] = [lum(st.color), lum(bg)].sort((x, y) => y - x);
      worst.push((a + 0.05) / (b + 0.05));
    }
    return Math.min(...worst);
  });
  assert.ok(ratio >= 4.5, `contrast ${ratio.toFixed(2)} is below 4.5:1`);
  // Keyboard: sign out, then Tab reaches the token field and Enter submits.
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByText("Signed out.").waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.id), "token");
  await page.keyboard.type(env("DCMS_CUSTOMER_TOKEN"));
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement.textContent), "Sign in");
  await page.keyboard.press("Enter");
  await page.getByText("Signed in.").waitFor();
});

test("the portal fits a phone-sized screen", async () => {
  const phone = await browser.newPage({ viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  await phone.goto(BASE + "/");
  await phone.getByLabel("Access token").fill(env("DCMS_CUSTOMER_TOKEN"));
  await phone.getByRole("button", { name: "Sign in" }).click();
  await phone.getByText("Signed in.").waitFor();
  const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page is ${overflow}px wider than the phone`);
  const small = await phone.evaluate(() =>
    [...document.querySelectorAll("button")].filter((b) => b.offsetParent && !b.classList.contains("link") && b.getBoundingClientRect().height < 44).length);
  assert.equal(small, 0, "touch targets smaller than 44px");
  await phone.screenshot({ path: `${OUT}/portal-phone.png`, fullPage: true });
  await phone.close();
});
