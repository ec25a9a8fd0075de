// The pyjl study dashboard: polls the JSON API (docs/dashboard.md) and draws with Plotly.
"use strict";

const QUERY = new URLSearchParams(location.search);
const POLL_MS = Math.max(200, Number(QUERY.get("poll")) || 1000);
const STUDY = JSON.parse(document.body.dataset.study || "null");
const PAGE_SIZE = 100;
const PLOT_OPTIONS = { responsive: true, displaylogo: false };
const $ = (id) => document.getElementById(id);

function showError(message) { $("error").textContent = message || ""; }
function live(ok) { $("live").classList.toggle("stale", !ok); }

async function getJSON(url) {
  const response = await fetch(url, { cache: "no-store" });
  let body;
  try { body = await response.json(); } catch (e) { body = { error: `HTTP ${response.status}` }; }
  if (!response.ok) {
    const err = new Error(body.error || `HTTP ${response.status}`);
    err.status = response.status;
    throw err;
  }
  return body;
}

function fmt(v) {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(5)));
  return String(v);
}
const when = (t) => (t ? new Date(t * 1000).toLocaleString() : "");

function cell(tr, value, numeric) {
  const td = tr.insertCell();
  td.textContent = fmt(value);
  if (numeric) td.className = "num";
  return td;
}

// ---- the list of studies ---------------------------------------------------------------
async function pollStudies() {
  try {
    const data = await getJSON("/api/studies");
    $("storage").textContent = data.storage;
    const body = $("studies").tBodies[0];
    body.replaceChildren();
    for (const s of data.studies) {
      const tr = body.insertRow();
      const a = document.createElement("a");
      a.href = "/study/" + encodeURIComponent(s.name);
      a.textContent = s.name;
      tr.insertCell().append(a);
      const n = s.states;
      for (const v of [s.n_trials, n.complete, n.pending, n.failed, n.pruned, n.abandoned]) cell(tr, v, true);
      cell(tr, s.best ? s.best.value : null, true);
      cell(tr, when(s.last_activity));
    }
    showError(data.studies.length ? "" : `no studies in ${data.storage} yet`);
    live(true);
  } catch (e) {
    showError(e.message);
    live(false);
  }
  setTimeout(pollStudies, 2 * POLL_MS);
}

// ---- one study -------------------------------------------------------------------------
const S = {
  trials: new Map(), revision: 0, epoch: null, space: [], sortKey: "number", sortDir: -1,
  page: 0, nComplete: 0, fetched: { posterior: null, importance: null }, busy: false,
  lastFit: 0, drawnAt: 0, sign: 1,  // -1: a maximised study (a loss is minus the value)
};
const api = () => "/api/studies/" + encodeURIComponent(STUDY);

async function initStudy() {
  let d;
  try {
    d = await getJSON(api());
  } catch (e) {
    showError(e.message);
    return;
  }
  S.space = d.space;
  S.sign = d.direction === "maximize" ? -1 : 1;
  $("title").textContent = `Study ${d.name}` + (S.sign < 0 ? " (maximised)" : "");
  const select = $("param");
  for (const p of d.space) select.add(new Option(p.name, p.name));
  select.addEventListener("change", () => { S.fetched.posterior = null; refreshFits(true); });
  $("prev").addEventListener("click", () => { S.page = Math.max(0, S.page - 1); drawTable(); });
  $("next").addEventListener("click", () => { S.page += 1; drawTable(); });
  pollTrials();
}

async function pollTrials() {
  try {
    let url = `${api()}/trials?since=${S.revision}`;
    if (S.epoch) url += `&epoch=${S.epoch}`;
    const d = await getJSON(url);
    if (d.reset) S.trials.clear();
    for (const t of d.trials) S.trials.set(t.number, t);
    S.revision = d.revision;
    S.epoch = d.epoch;
    if (d.trials.length || d.reset) draw();
    else refreshFits(false);
    showError("");
    live(true);
  } catch (e) {
    showError(e.message);
    live(false);
  }
  setTimeout(pollTrials, POLL_MS);
}

function ordered() { return [...S.trials.values()].sort((a, b) => a.number - b.number); }

function draw() {
  const all = ordered();
  const count = {};
  for (const t of all) count[t.state] = (count[t.state] || 0) + 1;
  const done = all.filter((t) => t.state === "complete");
  const best = done.reduce(
    (b, t) => (b === null || S.sign * t.value < S.sign * b.value ? t : b), null);
  $("summary").textContent = `${all.length} trials: ` +
    ["complete", "pending", "failed", "pruned", "abandoned"]
      .map((s) => `${count[s] || 0} ${s === "pending" ? "running" : s}`).join(", ") +
    (best ? ` — best ${fmt(best.value)} (trial ${best.number})` : "");
  S.nComplete = done.length;
  drawTable();
  schedulePlots();
  refreshFits(false);
}

// the plots redraw after the table, and at most every 5 s for a study past 2,000 trials
let plotTimer = null;
function schedulePlots() {
  if (plotTimer !== null) return;
  const wait = Math.max(0, S.drawnAt + (S.trials.size > 2000 ? 5000 : 0) - Date.now());
  plotTimer = setTimeout(() => {
    plotTimer = null;
    const all = ordered();
    drawHistory(all);
    drawParallel(all.filter((t) => t.state === "complete"));
    S.drawnAt = Date.now();
  }, wait);
}

function drawHistory(all) {
  const done = all.filter((t) => t.state === "complete");
  const values = done.map((t) => t.value);
  const lo = values.length ? Math.min(...values) : 0;
  const hi = values.length ? Math.max(...values) : 1;
  const floor = lo - 0.05 * (hi - lo || 1);
  const bestX = [], bestY = [];
  let running = null;
  for (const t of done) {
    if (running === null || S.sign * t.value < S.sign * running) running = t.value;
    bestX.push(t.number); bestY.push(running);
  }
  const marks = (state, symbol, color, name) => {
    const ts = all.filter((t) => t.state === state);
    return {
      type: "scattergl", mode: "markers", name,
      x: ts.map((t) => t.number),
      y: ts.map((t) => (state === "pruned" && t.value !== null ? t.value : floor)),
      text: ts.map((t) => t.error || `trial ${t.number}`),
      marker: { symbol, color, size: 9 },
      hovertemplate: "trial %{x}: %{text}<extra>" + name + "</extra>",
    };
  };
  const traces = [
    { type: "scattergl", mode: "markers", name: "value", x: done.map((t) => t.number), y: values,
      marker: { color: "#4c72b0", size: 6 } },
    { type: "scatter", mode: "lines", name: "best so far", x: bestX, y: bestY,
      line: { color: "#dd8452", shape: "hv" } },
    marks("failed", "x", "#c00000", "failed"),
    marks("pruned", "diamond", "#e0a000", "pruned"),
    marks("pending", "circle-open", "#7f7f7f", "running"),
    marks("abandoned", "x-thin-open", "#aaaaaa", "abandoned"),
  ];
  Plotly.react("history-plot", traces, {
    margin: { t: 10, r: 10, b: 40, l: 60 }, xaxis: { title: "trial" },
    yaxis: { title: "value" }, legend: { orientation: "h" },
  }, PLOT_OPTIONS);
}

const PARALLEL_MAX = 2000;  // lines: the best ones beyond (parcoords draws each line)

function drawParallel(done) {
  if (!done.length) return;
  if (done.length > PARALLEL_MAX) {
    done = [...done].sort((a, b) => S.sign * (a.value - b.value)).slice(0, PARALLEL_MAX);
  }
  $("parallel-note").textContent = done.length < S.nComplete
    ? `the best ${done.length} of ${S.nComplete} completed trials` : "";
  const dims = S.space.map((p) => {
    if (p.type === "categorical") {
      // keyed by JSON text: a tuple [1, 2] and a string "1,2" print alike, 1 and "1" too
      const idx = new Map(p.choices.map((c, i) => [JSON.stringify(c), i]));
      return { label: p.name, values: done.map((t) => idx.get(JSON.stringify(t.params[p.name]))),
        tickvals: p.choices.map((_, i) => i), ticktext: p.choices.map(String) };
    }
    if (p.log) return { label: `log10 ${p.name}`, values: done.map((t) => Math.log10(t.params[p.name])) };
    return { label: p.name, values: done.map((t) => t.params[p.name]) };
  });
  const values = done.map((t) => t.value);
  dims.push({ label: "value", values });
  Plotly.react("parallel-plot", [{
    type: "parcoords", dimensions: dims,
    line: { color: values, colorscale: "Viridis", reversescale: S.sign > 0, showscale: true },
  }], { margin: { t: 40, r: 60, b: 20, l: 60 } }, PLOT_OPTIONS);
}

// ---- the GP: posterior and importance, fetched when the completed trials change ----------
async function refreshFits(force) {
  const param = $("param").value;
  const key = `${param}/${S.nComplete}`;
  if (S.busy || (!force && Date.now() - S.lastFit < 3000)) return;
  if (S.fetched.posterior === key && S.fetched.importance === S.nComplete) return;
  S.busy = true;
  S.lastFit = Date.now();
  try {
    if (S.fetched.posterior !== key) {
      try {
        drawPosterior(await getJSON(`${api()}/posterior?param=${encodeURIComponent(param)}`));
      } catch (e) {
        $("posterior-note").textContent = e.message;
      }
      S.fetched.posterior = key;
    }
    if (S.fetched.importance !== S.nComplete) {
      try { drawImportance(await getJSON(`${api()}/importance`)); } catch (e) { /* noted above */ }
      S.fetched.importance = S.nComplete;
    }
  } finally {
    S.busy = false;
  }
}

function drawPosterior(p) {
  const cat = p.kind === "categorical";
  const x = cat ? p.labels : p.x;
  const obsX = cat ? p.observations.x.map((i) => p.labels[i]) : p.observations.x;
  const band = "± 2σ" + (p.clipped ? ` (clipped to ${fmt(p.window[0])} .. ${fmt(p.window[1])})` : "");
  const traces = cat ? [
    { type: "scatter", mode: "markers", name: `${p.centre_name} ${band}`, x, y: p.centre,
      error_y: { type: "data", symmetric: false, array: p.upper.map((u, i) => u - p.centre[i]),
        arrayminus: p.centre.map((c, i) => c - p.lower[i]) } },
  ] : [
    { type: "scatter", mode: "lines", name: "lower", x, y: p.lower, line: { width: 0 },
      showlegend: false, hoverinfo: "skip" },
    { type: "scatter", mode: "lines", name: band, x, y: p.upper, fill: "tonexty",
      fillcolor: "rgba(76,114,176,0.2)", line: { width: 0 } },
    { type: "scatter", mode: "lines", name: p.centre_name, x, y: p.centre,
      line: { color: "#4c72b0" } },
  ];
  traces.push(
    { type: "scatter", mode: "markers", name: "observations", x: obsX, y: p.observations.y,
      marker: { color: "black", size: 6 } },
    { type: cat ? "bar" : "scatter", mode: "lines", name: p.acquisition_name, x, y: p.acquisition,
      yaxis: "y2", marker: { color: "#55a868" }, line: { color: "#55a868" } },
    { type: "scatter", mode: "markers", name: `next: ${fmt(p.next)}`, x: [x[p.next_index]],
      y: [p.acquisition[p.next_index]], yaxis: "y2",
      marker: { symbol: "triangle-down", color: "#c44e52", size: 12 } },
  );
  Plotly.react("posterior-plot", traces, {
    margin: { t: 10, r: 10, b: 40, l: 60 }, legend: { orientation: "h", y: -0.15 },
    xaxis: { title: p.param, type: p.log ? "log" : (cat ? "category" : "linear"), anchor: "y2" },
    yaxis: { title: "objective", domain: [0.38, 1] },
    yaxis2: { title: p.acquisition_name, domain: [0, 0.3] },
  }, PLOT_OPTIONS);
  $("posterior-note").textContent = `${p.centre_name} of the GP fitted to ${p.n_fit} of ` +
    `${p.n_complete} completed trials, the other parameters at the best point.`;
}

function drawImportance(d) {
  const rows = [...d.importance].reverse();
  Plotly.react("importance-plot", [{
    type: "bar", orientation: "h", x: rows.map((r) => r.importance), y: rows.map((r) => r.param),
    text: rows.map((r) => `lengthscale ${fmt(r.lengthscale)}`), marker: { color: "#8172b2" },
  }], { margin: { t: 10, r: 10, b: 40, l: 120 }, xaxis: { title: "importance", range: [0, 1] } },
  PLOT_OPTIONS);
}

// ---- the sortable table ------------------------------------------------------------------
function columns() {
  return [
    { key: "number", get: (t) => t.number, num: true },
    { key: "state", get: (t) => t.state },
    { key: "value", get: (t) => t.value, num: true },
    ...S.space.map((p) => ({ key: p.name, get: (t) => t.params[p.name], num: p.type !== "categorical" })),
    { key: "duration (s)", get: (t) => t.duration, num: true },
    { key: "worker", get: (t) => t.worker },
    { key: "error", get: (t) => t.error },
  ];
}

function drawTable() {
  const cols = columns();
  const table = $("trials");
  const head = table.tHead;
  if (!head.rows.length) {
    const tr = head.insertRow();
    for (const c of cols) {
      const th = document.createElement("th");
      th.textContent = c.key;
      th.addEventListener("click", () => {
        S.sortDir = S.sortKey === c.key ? -S.sortDir : 1;
        S.sortKey = c.key;
        drawTable();
      });
      tr.append(th);
    }
  }
  for (const th of head.rows[0].cells) {
    th.className = th.textContent === S.sortKey ? (S.sortDir > 0 ? "asc" : "desc") : "";
  }
  const col = cols.find((c) => c.key === S.sortKey) || cols[0];
  const rows = [...S.trials.values()].sort((a, b) => {
    const va = col.get(a), vb = col.get(b);
    if (va === vb) return a.number - b.number;
    if (va === null || va === undefined) return 1;
    if (vb === null || vb === undefined) return -1;
    return (va < vb ? -1 : 1) * S.sortDir;
  });
  const pages = Math.max(1, Math.ceil(rows.length / PAGE_SIZE));
  S.page = Math.min(S.page, pages - 1);
  $("page").textContent = `page ${S.page + 1} of ${pages}`;
  $("trial-count").textContent = `(${rows.length})`;
  const body = table.tBodies[0];
  body.replaceChildren();
  for (const t of rows.slice(S.page * PAGE_SIZE, (S.page + 1) * PAGE_SIZE)) {
    const tr = body.insertRow();
    tr.className = `state-${t.state}`;
    tr.dataset.number = t.number;
    for (const c of cols) {
      const td = cell(tr, c.key === "duration (s)" && t.duration !== null ? Number(t.duration.toFixed(3)) : c.get(t), c.num);
      if (c.key === "error") { td.className = "error-text"; td.title = t.error || ""; }
    }
  }
}

if (STUDY === null) {
  $("studies-page").hidden = false;
  pollStudies();
} else {
  $("study-page").hidden = false;
  initStudy();
}
