// The a2a-bridge status page: every agent the key may call, with its state
// and figures from /v1/agents and /v1/stats, refreshed every few seconds.
// Agent texts are put in with textContent only: a card's text is the
// agent's, never markup.
"use strict";

const refreshMs = 5000;
const keyStore = "a2a-bridge-key";
let timer = null;

function cell(row, text, cls) {
  const td = document.createElement("td");
  td.textContent = text;
  if (cls) td.className = cls;
  row.appendChild(td);
  return td;
}

function num(v, digits) {
  if (typeof v !== "number") return "";
  return digits === undefined ? v.toLocaleString("en-US") : v.toFixed(digits);
}

function figures(row, st) {
  st = st || {};
  const lat = st.latency_ms || {}, tok = st.tokens || {};
  cell(row, num(st.requests));
  cell(row, num(st.errors));
  cell(row, num(lat.p50, 1));
  cell(row, num(lat.p95, 1));
  cell(row, num(tok.input));
  cell(row, num(tok.output));
  cell(row, num(st.cost_usd, 6));
  cell(row, num(st.streams_open));
}

function render(agents, stats) {
  const rows = document.getElementById("rows");
  rows.replaceChildren();
  for (const a of agents) {
    const tr = document.createElement("tr");
    tr.dataset.agent = a.name;
    const name = cell(tr, a.name);
    if (a.description) {
      const d = document.createElement("span");
      d.className = "desc";
      d.textContent = a.description;
      name.appendChild(d);
    }
    cell(tr, a.state, "state " + a.state);
    cell(tr, num(a.replicas));
    figures(tr, (stats.agents || {})[a.name] || a.stats);
    rows.appendChild(tr);
  }
  const foot = document.getElementById("totals");
  foot.replaceChildren();
  const tr = document.createElement("tr");
  tr.id = "total";
  cell(tr, "All agents");
  cell(tr, "");
  cell(tr, "");
  figures(tr, stats.totals);
  foot.appendChild(tr);
  document.getElementById("agents").hidden = false;
}

async function get(path, key) {
  const res = await fetch(path, { headers: { Authorization: "Bearer " + key } });
  if (!res.ok) {
    let msg = "HTTP " + res.status;
    try { msg = (await res.json()).error.message || msg; } catch (e) { /* not JSON */ }
    throw new Error(msg);
  }
  return res.json();
}

async function refresh() {
  const key = sessionStorage.getItem(keyStore) || "";
  const status = document.getElementById("status");
  try {
    const [agents, stats] = await Promise.all([get("/v1/agents", key), get("/v1/stats", key)]);
    render(agents.data || [], stats);
    // How long the first full page took, from navigation: the browser
    // test holds it to the bound.
    if (!document.body.dataset.renderedMs) document.body.dataset.renderedMs = String(Math.round(performance.now()));
    status.className = "";
    status.textContent = (agents.data || []).length + " agents, updated " + new Date().toLocaleTimeString();
  } catch (e) {
    status.className = "error";
    status.textContent = "Could not load the agents: " + e.message;
  }
}

function start() {
  clearInterval(timer);
  refresh();
  timer = setInterval(refresh, refreshMs);
}

document.getElementById("keyform").addEventListener("submit", (ev) => {
  ev.preventDefault();
  sessionStorage.setItem(keyStore, document.getElementById("key").value);
  start();
});

// A bridge without keys answers without one; a key given before is kept
// for this tab only (sessionStorage), never in the URL.
start();
