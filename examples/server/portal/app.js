// The DCMS customer portal. The access token lives in the `token` variable
// of this closure only: never in localStorage, sessionStorage or a cookie,
// so closing the page forgets it. Every request sends it as a bearer token.
(() => {
  "use strict";
  let token = null;
  let account = null;
  let nextPage = null;
  const $ = (id) => document.getElementById(id);

  function say(text, isError) {
    const s = $("status");
    s.textContent = text;
    s.className = isError ? "error" : "";
  }

  function payload(jwt) {
    const part = jwt.split(".")[1] || "";
    const b64 = part.replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(atob(b64 + "===".slice((b64.length + 3) % 4)));
  }

  function newKey() {
    return crypto.randomUUID();
  }

  async function api(method, path, body) {
    const headers = { Authorization: "Bearer " + token };
    const init = { method, headers };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      headers["Idempotency-Key"] = newKey();
      init.body = JSON.stringify(body);
    }
    const resp = await fetch(path, init);
    const data = await resp.json().catch(() => ({}));
    if (!resp.ok) {
      throw new Error(data.detail || data.title || ("HTTP " + resp.status));
    }
    return data;
  }

  function fillCurrencies(balances) {
    for (const id of ["code-currency", "transfer-currency"]) {
      const sel = $(id);
      const keep = sel.value;
      sel.replaceChildren(...balances.map((b) => new Option(b.currency, b.currency)));
      if (keep) sel.value = keep;
    }
  }

  async function loadBalances() {
    const data = await api("GET", `/v1/accounts/${account}/balances`);
    const list = $("balances");
    list.replaceChildren(...data.balances.map((b) => {
      const li = document.createElement("li");
      li.textContent = `${b.available} ${b.currency} points` + (b.held ? ` (${b.held} held)` : "");
      li.dataset.currency = b.currency;
      li.dataset.available = String(b.available);
      return li;
    }));
    if (data.balances.length === 0) {
      const li = document.createElement("li");
      li.textContent = "No points yet.";
      list.append(li);
    }
    fillCurrencies(data.balances);
  }

  function ownPoints(tx) {
    const mine = `customer:${account}:${tx.currency}`;
    return tx.postings.filter((p) => p.account === mine).reduce((a, p) => a + p.points, 0);
  }

  function historyRow(tx) {
    const tr = document.createElement("tr");
    const when = document.createElement("td");
    when.textContent = new Date(tx.at).toLocaleString();
    const what = document.createElement("td");
    what.textContent = tx.kind.replace(/_/g, " ") + (tx.vendor ? ` at ${tx.vendor}` : "");
    const pts = document.createElement("td");
    pts.className = "points";
    const n = ownPoints(tx);
    pts.textContent = `${n > 0 ? "+" : ""}${n} ${tx.currency}`;
    const rec = document.createElement("td");
    const btn = document.createElement("button");
    btn.type = "button";
    btn.className = "link";
    btn.textContent = "Receipt";
    btn.setAttribute("aria-label", `Receipt of transaction ${tx.id}`);
    btn.addEventListener("click", () => openReceipt(tx.id, rec));
    rec.append(btn);
    tr.append(when, what, pts, rec);
    tr.dataset.tx = String(tx.id);
    return tr;
  }

  async function loadHistory(append) {
    const after = append && nextPage ? `&after=${encodeURIComponent(nextPage)}` : "";
    const data = await api("GET", `/v1/accounts/${account}/history?limit=10${after}`);
    const rows = data.items.map(historyRow);
    if (append) $("history").append(...rows); else $("history").replaceChildren(...rows);
    nextPage = data.next;
    $("more").hidden = !nextPage;
  }

  async function openReceipt(tx, cell) {
    try {
      const r = await api("GET", `/v1/accounts/${account}/receipts/${tx}`);
      const a = document.createElement("a");
      a.href = r.url;
      a.target = "_blank";
      a.rel = "noopener noreferrer";
      a.textContent = "Open receipt";
      cell.replaceChildren(a);
      a.focus();
    } catch (e) {
      say(e.message, true);
    }
  }

  async function refresh() {
    await loadBalances();
    await loadHistory(false);
  }

  async function signIn(ev) {
    ev.preventDefault();
    const field = $("token");
    const candidate = field.value.trim();
    field.value = "";
    try {
      const claims = payload(candidate);
      if (claims.role !== "customer" || !claims.account) throw new Error("this token is not a customer's");
      token = candidate;
      account = claims.account;
      await refresh();
      $("account").textContent = account;
      $("sign-in").hidden = true;
      $("app").hidden = false;
      $("sign-out").hidden = false;
      say("Signed in.");
      $("balances-title").setAttribute("tabindex", "-1");
      $("balances-title").focus();
    } catch (e) {
      token = null;
      account = null;
      say("Sign-in failed: " + e.message, true);
    }
  }

  function signOut() {
    token = null;
    account = null;
    $("app").hidden = true;
    $("sign-out").hidden = true;
    $("sign-in").hidden = false;
    $("code-out").hidden = true;
    say("Signed out.");
    $("token").focus();
  }

  async function getCode(ev) {
    ev.preventDefault();
    try {
      const c = await api("POST", `/v1/accounts/${account}/codes`, {
        currency: $("code-currency").value,
        max_points: Number($("code-max").value),
      });
      $("code-digits").textContent = c.code;
      $("code-qr").src = "data:image/svg+xml;base64," + btoa(c.qr_svg);
      $("code-expiry").textContent = `Up to ${c.max_points} ${c.currency} points, until ${new Date(c.expires_at).toLocaleTimeString()}.`;
      $("code-out").hidden = false;
      say("Your code is ready.");
    } catch (e) {
      say(e.message, true);
    }
  }

  async function transfer(ev) {
    ev.preventDefault();
    try {
      const points = Number($("transfer-points").value);
      await api("POST", `/v1/accounts/${account}/transfers`, {
        to: $("transfer-to").value.trim(),
        currency: $("transfer-currency").value,
        points,
      });
      ev.target.reset();
      await refresh();
      say(`Sent ${points} points.`);
    } catch (e) {
      say(e.message, true);
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("sign-in-form").addEventListener("submit", signIn);
    $("sign-out").addEventListener("click", signOut);
    $("code-form").addEventListener("submit", getCode);
    $("transfer-form").addEventListener("submit", transfer);
    $("more").addEventListener("click", () => loadHistory(true).catch((e) => say(e.message, true)));
  });
})();
