// Runs the detector off the main thread so a 100 MB log does not freeze the page.
// Messages in:  {type:"validate", id, config} | {type:"run", files:[File|Blob+name], config, format, warm?:Uint8Array}
//               {type:"options", includeAllowed} | {type:"report", files, config, format, entity, from, to}
// Messages out: {type:"ready"} | {type:"validated", id, ok, message, effective} | {type:"report", entity, json, html}
//               {type:"progress", done, total, events, alerts} | {type:"error", message}
//               {type:"done", alerts, stats, activity, incidents, busiest, coverage (JSON text), ...}
import init, { Detector, report, coverage } from "./pkg/wikiwatch_web.js";

const ready = init().then(() => postMessage({ type: "ready", defaultConfig: Detector.defaultConfig() }));

onmessage = async (msg) => {
  await ready;
  const m = msg.data;
  try {
    if (m.type === "validate") validate(m);
    else if (m.type === "options") includeAllowed = !!m.includeAllowed;
    else if (m.type === "run") await run(m);
    else if (m.type === "report") await exposure(m);
  } catch (e) {
    postMessage({ type: "error", message: String(e && e.message ? e.message : e) });
  }
};

function validate({ id, config }) {
  try {
    const d = new Detector(config);
    const effective = d.effectiveConfig();
    d.free();
    postMessage({ type: "validated", id, ok: true, effective });
  } catch (e) {
    postMessage({ type: "validated", id, ok: false, message: e.message });
  }
}

// Bytes of a file, decompressed when it is gzip (by name or by magic number), counting the
// compressed bytes read so progress is against the file's size.
async function openStream(file, onBytes) {
  const head = new Uint8Array(await file.slice(0, 2).arrayBuffer());
  const gz = /\.gz$/i.test(file.name || "") || (head[0] === 0x1f && head[1] === 0x8b);
  const counted = file.stream().pipeThrough(new TransformStream({
    transform(chunk, c) { onBytes(chunk.byteLength); c.enqueue(chunk); },
  }));
  return gz ? counted.pipeThrough(new DecompressionStream("gzip")) : counted;
}

function progressReporter(total) {
  let done = 0, last = 0;
  return {
    add(n) { done += n; },
    maybe(detector, alerts, force) {
      const now = performance.now();
      if (!force && now - last < 100) return;
      last = now;
      const s = detector.stats();
      postMessage({ type: "progress", done, total, events: s.events, alerts });
    },
  };
}

async function run({ files, config, format, warm }) {
  const t0 = performance.now();
  const fmt = format && format !== "auto" ? format : undefined;
  // A loaded state file starts the detector warm; one it refuses (another config's allow
  // entries, another version, damaged) is an error, never a silent cold start.
  const detector = warm ? Detector.restore(config, warm, fmt) : new Detector(config, fmt);
  detector.trackActivity();
  const total = files.reduce((n, f) => n + f.size, 0);
  const progress = progressReporter(total);
  const alerts = [];
  if (files.length === 1) {
    const reader = (await openStream(files[0], (n) => progress.add(n))).getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      for (const a of detector.feedBytes(value)) alerts.push(a);
      progress.maybe(detector, alerts.length);
    }
  } else {
    await runMerged(detector, files, fmt, progress, alerts);
  }
  for (const a of detector.finish()) alerts.push(a);
  progress.maybe(detector, alerts.length, true);
  const stats = detector.stats();
  const inputs = files.length > 1 ? detector.inputCounts() : null;
  // The incident view and the busiest entities are `wikiwatch report`'s (the module's
  // `report`, over the same files read again): allow-listed entities do not crowd the plot
  // unless asked for.
  const texts = await readTexts(files);
  const view = JSON.parse(report(texts, config, fmt, undefined, undefined, undefined, includeAllowed).json);
  // What these logs can show: `wikiwatch coverage --json` for the same files and config.
  const coverageJson = coverage(texts, files.map((f) => f.name), config, fmt);
  const activity = detector.activity(0, [...busiestEntities(view.busiest), ...alertedEntities(alerts)]);
  const effective = detector.effectiveConfig();
  const snapshot = detector.snapshot();
  detector.free();
  postMessage({
    type: "done", alerts, stats, activity, effective, snapshot,
    incidents: view.incidents, busiest: view.busiest, coverage: coverageJson,
    inputs, elapsedMs: performance.now() - t0, bytes: total, files: files.map((f) => f.name),
  });
}

// User and ip entities with alerts, most alerted first (sessions are hashed: nothing to plot).
function alertedEntities(alerts) {
  const n = new Map();
  for (const a of alerts) {
    if (a.entity.kind === "session") continue;
    const k = JSON.stringify([a.entity.kind, a.entity.id]);
    n.set(k, (n.get(k) || 0) + 1);
  }
  return [...n.entries()].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([k]) => JSON.parse(k));
}

// Whether allow-listed entities appear among the incidents and the busiest (set by the page).
let includeAllowed = false;

// The exposure report of one entity and span: the same HTML and JSON `wikiwatch report
// --entity E --from F --to T FILE...` writes for these files and config.
async function exposure({ files, config, format, entity, from, to }) {
  const fmt = format && format !== "auto" ? format : undefined;
  const out = report(await readTexts(files), config, fmt, entity, from || undefined, to || undefined, includeAllowed);
  postMessage({ type: "report", entity, json: out.json, html: out.html });
}

// Each file's whole text (decompressed), for the report.
async function readTexts(files) {
  const texts = [];
  for (const f of files) texts.push(await new Response(await openStream(f, () => {})).text());
  return texts;
}

// The busiest entities the report lists (allow-listed ones left out unless asked for).
function busiestEntities(busiest) {
  return busiest.slice(0, 3).map((b) => [b.entity.slice(0, b.entity.indexOf(":")), b.entity.slice(b.entity.indexOf(":") + 1)]);
}

// Merges several inputs by event time inside the module (the CLI's merge: each file decoded
// in its own format, earliest event first, ties to the file given first). The module says
// which file it needs bytes from next, so only a chunk or so per file is held at once.
async function runMerged(detector, files, format, progress, alerts) {
  const readers = [];
  for (const f of files) {
    detector.addInput(format);
    readers.push((await openStream(f, (n) => progress.add(n))).getReader());
  }
  for (let i = detector.hungryInput(); i >= 0; i = detector.hungryInput()) {
    const { value, done } = await readers[i].read();
    const raised = done ? detector.endInput(i) : detector.feedInput(i, value);
    for (const a of raised) alerts.push(a);
    progress.maybe(detector, alerts.length);
  }
}
