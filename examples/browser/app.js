// Main thread of the harness: file choice, config editing with validation, running the
// worker, and showing summary, plots and the alerts table.
import { AlertTable } from "./table.js";
import { ratePlot, pagesPlot, bandPlot, brush } from "./plots.js";
import { IncidentTable } from "./incidents.js";
import { renderCoverage } from "./coverage.js";

// Served from the repository root, the bundled example sits one folder up.
const EXAMPLE_LOG = "../logs/confluence-access.log";
const EXAMPLE_CONFIG = "../config.json";

const $ = (sel) => document.querySelector(sel);
const worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
const table = new AlertTable($("#alerts"));
// Picking an incident offers its entity and day to the exposure report.
const incidents = new IncidentTable($("#incidents"), (inc) => {
  $("#report-entity").value = `${inc.kind}:${inc.id}`;
  $("#report-from").value = inc.first.slice(0, 10) + "T00:00:00Z";
  $("#report-to").value = new Date(Date.parse(inc.first.slice(0, 10)) + 86400e3).toISOString().replace(".000Z", "Z");
});
const state = { files: [], warm: null, configOk: false, effective: "", defaultConfig: "", result: null, validateId: 0, running: false };

worker.onmessage = (msg) => {
  const m = msg.data;
  if (m.type === "ready") { state.defaultConfig = m.defaultConfig; validate(); }
  else if (m.type === "validated") onValidated(m);
  else if (m.type === "progress") onProgress(m);
  else if (m.type === "done") onDone(m);
  else if (m.type === "report") onReport(m);
  else if (m.type === "error") onError(m.message);
};
worker.onerror = (e) => onError(e.message || "worker failed to start (is pkg/ built? see README)");

// --- input ---------------------------------------------------------------------------
function setFiles(files) {
  state.files = [...files];
  const names = state.files.map((f) => `${f.name} (${(f.size / 1e6).toFixed(2)} MB)`);
  $("#files").textContent = names.length ? names.join(", ") + (names.length > 1 ? " — merged by event time" : "") : "No file chosen.";
  updateRun();
}
$("#file").addEventListener("change", (e) => setFiles(e.target.files));
const drop = $("#drop");
drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", (e) => {
  e.preventDefault();
  drop.classList.remove("over");
  if (e.dataTransfer.files.length) setFiles(e.dataTransfer.files);
});
$("#example").addEventListener("click", async () => {
  $("#files").textContent = "loading example…";
  try {
    const [log, config] = await Promise.all([fetch(EXAMPLE_LOG), fetch(EXAMPLE_CONFIG)]);
    for (const r of [log, config]) if (!r.ok) throw new Error(`${r.url}: HTTP ${r.status} (serve the repository root, see README)`);
    $("#config").value = await config.text();
    validate();
    setFiles([new File([await log.blob()], "confluence-access.log")]);
  } catch (e) { $("#files").textContent = "No file chosen."; onError(e.message); }
});

// --- config --------------------------------------------------------------------------
let validateTimer = 0;
function validate() {
  state.configOk = false;
  updateRun();
  $("#config-status").textContent = "checking…";
  $("#config-status").className = "muted";
  worker.postMessage({ type: "validate", id: ++state.validateId, config: $("#config").value });
}
function onValidated(m) {
  if (m.id !== state.validateId) return; // an older text
  state.configOk = m.ok;
  const status = $("#config-status");
  if (m.ok) { state.effective = m.effective; status.textContent = "✓ config is valid"; status.className = "ok"; }
  else { status.textContent = m.message; status.className = "error"; }
  updateRun();
}
$("#config").addEventListener("input", () => { clearTimeout(validateTimer); validateTimer = setTimeout(validate, 250); });
$("#config-default").addEventListener("click", () => { $("#config").value = state.defaultConfig; validate(); });
$("#download-config").addEventListener("click", () => {
  if (!state.configOk) return onError("the config is not valid: nothing to download");
  download("wikiwatch-config.json", state.effective + "\n", "application/json");
});

// --- run -----------------------------------------------------------------------------
function updateRun() { $("#run").disabled = state.running || !state.configOk || !state.files.length; }
$("#run").addEventListener("click", () => {
  worker.postMessage({ type: "options", includeAllowed: $("#include-allowed").checked });
  state.running = true;
  updateRun();
  $("#progress").value = 0;
  $("#progress-text").textContent = "starting…";
  worker.postMessage({ type: "run", files: state.files, config: $("#config").value, format: $("#format").value, warm: state.warm });
});

// --- state: a state file of any host (wikiwatch learn, replay --state, Fluent Bit) -------
$("#state-file").addEventListener("change", async (e) => {
  const f = e.target.files[0];
  if (!f) return;
  state.warm = new Uint8Array(await f.arrayBuffer());
  $("#state-status").textContent = `warm start from ${f.name} (${state.warm.length.toLocaleString()} bytes)`;
  $("#state-status").className = "ok";
});
$("#save-state").addEventListener("click", () => {
  if (state.result && state.result.snapshot) download("wikiwatch.state", state.result.snapshot, "application/octet-stream");
});
function onProgress(m) {
  $("#progress").value = m.total ? m.done / m.total : 0;
  $("#progress-text").textContent = `${(m.done / 1e6).toFixed(1)} / ${(m.total / 1e6).toFixed(1)} MB, ${m.events.toLocaleString()} events, ${m.alerts} alerts`;
}
function onError(message) {
  state.running = false;
  updateRun();
  $("#progress-text").textContent = message;
  $("#progress-text").className = "error";
}

function onDone(m) {
  state.running = false;
  state.result = m;
  updateRun();
  $("#progress").value = 1;
  $("#progress-text").className = "muted";
  $("#progress-text").textContent = `done in ${(m.elapsedMs / 1000).toFixed(2)} s`;
  document.body.dataset.elapsedMs = m.elapsedMs.toFixed(0);
  renderSummary(m);
  table.set(m.alerts);
  renderPlots(m);
  incidents.set(m.incidents, m.busiest);
  $("#incidents").hidden = false;
  renderCoverage($("#coverage-body"), $("#coverage-verdict"), JSON.parse(m.coverage));
  for (const id of ["#summary", "#coverage", "#plots", "#alerts", "#save-state"]) $(id).hidden = false;
  document.body.dataset.state = "done";
}

function renderSummary({ stats, alerts, elapsedMs, bytes, files, inputs }) {
  // Merged inputs are decoded by the merge, which counts their rejected lines itself.
  const rejected = inputs ? inputs.reduce((n, i) => n + i.rejected, 0) : stats.rejected;
  const perInput = inputs ? `<table><caption>inputs (merged by event time)</caption>${inputs.map((c, i) =>
    `<tr><td>${esc(files[i])}</td><td>${esc(c.format)}</td><td class="num">${c.events.toLocaleString()} events</td><td class="num">${c.rejected.toLocaleString()} rejected</td></tr>`).join("")}</table>` : "";
  const kv = (obj) => Object.entries(obj || {}).map(([k, v]) => `<tr><td>${esc(k)}</td><td class="num">${v.toLocaleString()}</td></tr>`).join("") || `<tr><td class="muted" colspan="2">none</td></tr>`;
  const mbps = bytes / 1e6 / (elapsedMs / 1000);
  $("#summary-body").innerHTML = `
    <div class="cards">
      <div class="card"><b id="sum-events">${stats.events.toLocaleString()}</b>events</div>
      <div class="card"><b id="sum-rejected">${rejected.toLocaleString()}</b>rejected lines</div>
      <div class="card"><b id="sum-late">${stats.late.toLocaleString()}</b>late events</div>
      <div class="card"><b id="sum-alerts">${alerts.length.toLocaleString()}</b>alerts</div>
      <div class="card"><b>${(elapsedMs / 1000).toFixed(2)} s</b>${mbps.toFixed(1)} MB/s, ${files.length} file(s)</div>
    </div>
    <div class="tables">
      ${perInput}
      <table><caption>alerts by rule</caption>${kv(stats.alerts_by_rule)}</table>
      <table><caption>alerts by severity</caption>${kv(stats.alerts_by_severity)}</table>
      <table><caption>rejected, by reason</caption>${kv(stats.rejected_reasons)}</table>
      <table><caption>allowed events (by entry)</caption>${kv(stats.allowed_events)}</table>
      <table><caption>suppressed alerts (by entry)</caption>${kv(stats.suppressed)}</table>
      <table><caption>evicted entities</caption>${kv(stats.evicted)}</table>
    </div>`;
}

function renderPlots({ activity, alerts }) {
  const entities = activity ? activity.entities : [];
  // Dragging across the plot zooms it to that time; the tables follow.
  const zoom = (range) => {
    state.range = range;
    const svg = ratePlot($("#rate-plot"), entities, alerts, range);
    brush(svg, zoom);
    table.setRange(range);
    incidents.setRange(range);
    const iso = (t) => new Date(t).toISOString().replace(/\.\d{3}Z$/, "Z");
    $("#report-from").value = range ? iso(range[0]) : "";
    $("#report-to").value = range ? iso(range[1] + 1000) : "";
    document.body.dataset.range = range ? `${iso(range[0])}/${iso(range[1])}` : "";
  };
  zoom(null);
  const select = $("#entity-select");
  select.replaceChildren(...entities.map((e, i) => new Option(`${e.kind} ${e.id} (${e.distinct_pages} pages)`, i)));
  const draw = () => {
    pagesPlot($("#pages-plot"), entities[+select.value], alerts);
    bandPlot($("#band-plot"), entities[+select.value]);
  };
  select.onchange = draw;
  draw();
}

// --- exposure report: the same files through `wikiwatch report`'s code in the worker ----------
$("#download-report").addEventListener("click", () => {
  const entity = $("#report-entity").value.trim();
  if (!entity) return onError("name an entity (user:NAME, ip:ADDR or session:ID) for the exposure report");
  $("#report-status").textContent = "building…";
  worker.postMessage({ type: "report", files: state.files, config: $("#config").value, format: $("#format").value,
    entity, from: $("#report-from").value.trim(), to: $("#report-to").value.trim() });
});
function onReport(m) {
  const name = `wikiwatch-report-${m.entity.replace(/[^A-Za-z0-9._-]+/g, "_")}`;
  download(`${name}.html`, m.html, "text/html");
  download(`${name}.json`, m.json, "application/json");
  $("#report-status").textContent = `downloaded ${name}.html and ${name}.json`;
  document.body.dataset.report = "done";
}

$("#download-coverage").addEventListener("click", () => {
  // Exactly the text `wikiwatch coverage --json` writes for these files and config.
  if (state.result) download("wikiwatch-coverage.json", state.result.coverage, "application/json");
});

$("#download-alerts").addEventListener("click", () => {
  if (!state.result) return;
  // One line per alert, exactly the JSON the core wrote (parsing and stringifying keeps key order).
  const text = state.result.alerts.map((a) => JSON.stringify(a) + "\n").join("");
  download("wikiwatch-alerts.jsonl", text, "application/x-ndjson");
});

function download(name, text, type) {
  const a = document.createElement("a");
  a.href = URL.createObjectURL(new Blob([text], { type }));
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10000);
}

function esc(s) { return String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]); }
