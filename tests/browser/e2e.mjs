// End-to-end test of the browser harness (examples/browser) in headless Chromium: the page
// loads the bundled example log and config, runs the wasm detector in its worker, and the
// alerts it shows and downloads must equal what `wikiwatch replay --engine native` writes.
// Also: config validation messages, several files merged by event time, gzip input, and on a
// generated two-week corpus the incident view, zooming into one incident by a drag across the
// plot, and the exposure report against `wikiwatch report`; the log coverage section against
// `wikiwatch coverage --json` (screenshots of each view in target/browser-e2e/).
// Needs: examples/browser/pkg (scripts/build-wasm.sh) and the CLI (WIKIWATCH_BIN).
import { chromium } from "playwright-core";
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import { serve } from "./serve.mjs";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const out = path.join(repo, "tests/out/browser");
const bin = process.env.WIKIWATCH_BIN || path.join(repo, "target/release/wikiwatch");
const LOG = path.join(repo, "examples/logs/confluence-access.log");
const COMBINED = path.join(repo, "examples/logs/combined.log");
const CONFIG = path.join(repo, "examples/config.json");
fs.mkdirSync(out, { recursive: true });

let passed = 0, failed = 0;
async function test(name, fn) {
  try { await fn(); passed++; console.log(`ok - ${name}`); }
  catch (e) { failed++; console.log(`not ok - ${name}\n  ${String(e.stack || e).replace(/\n/g, "\n  ")}`); }
}
function assert(cond, msg) { if (!cond) throw new Error(msg); }
function assertEqual(a, b, msg) {
  if (a !== b) {
    const al = String(a).split("\n"), bl = String(b).split("\n");
    const i = al.findIndex((l, k) => l !== bl[k]);
    throw new Error(`${msg}: first difference at line ${i + 1}\n  got:      ${al[i]}\n  expected: ${bl[i]}`);
  }
}

// What the native engine writes for the same input and config.
function replay(files, name) {
  const alerts = path.join(out, `${name}.native.jsonl`);
  execFileSync(bin, ["replay", "--engine", "native", "--config", CONFIG, "--alerts", alerts, ...files], { stdio: ["ignore", "ignore", "pipe"] });
  return fs.readFileSync(alerts, "utf8");
}

const pkg = path.join(repo, "examples/browser/pkg/wikiwatch_web_bg.wasm");
assert(fs.existsSync(pkg), `${pkg} missing: run scripts/build-wasm.sh first`);
assert(fs.existsSync(bin), `${bin} missing: cargo build --release -p wikiwatch (or set WIKIWATCH_BIN)`);

const server = await serve(repo);
const url = `http://127.0.0.1:${server.address().port}/examples/browser/index.html`;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1400, height: 1000 } });
const page = await context.newPage();
const pageErrors = [];
page.on("pageerror", (e) => pageErrors.push(String(e)));
page.on("console", (m) => { if (m.type() === "error") pageErrors.push(m.text()); });

async function run() {
  await page.evaluate(() => { delete document.body.dataset.state; });
  await page.waitForSelector("#run:not([disabled])");
  await page.click("#run");
  await page.waitForFunction(() => document.body.dataset.state === "done" || document.querySelector("#progress-text.error"), null, { timeout: 120000 });
  const err = await page.$eval("#progress-text", (e) => (e.classList.contains("error") ? e.textContent : ""));
  assert(!err, `the run failed: ${err}`);
}
async function downloadAlerts() {
  const [dl] = await Promise.all([page.waitForEvent("download"), page.click("#download-alerts")]);
  return fs.readFileSync(await dl.path(), "utf8");
}
// The table as shown (all rows; default sort is by time, ties in the order raised).
async function shownRows() {
  await page.selectOption("#filter-rule", "");
  await page.selectOption("#filter-severity", "");
  await page.fill("#filter", "");
  return page.$$eval("#alert-table tbody tr:not(.evidence)", (trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent)));
}
function rowsOf(jsonl) {
  const alerts = jsonl.split("\n").filter(Boolean).map((l) => JSON.parse(l));
  return alerts
    .map((a, i) => ({ a, i }))
    .sort((x, y) => (x.a.time < y.a.time ? -1 : x.a.time > y.a.time ? 1 : x.i - y.i))
    .map(({ a }) => [a.time, a.rule, a.severity, `${a.entity.kind} ${a.entity.id}`, `${a.count} / ${a.threshold}`, a.privileged ? "yes" : "", a.summary]);
}

// Drags across the activity plot from time `t0` to `t1`, placed by the plot's own scale (its
// svg's data-t0/t1 and data-x0/x1 in viewBox units), then waits for the page to take the range.
async function zoomTo(t0, t1) {
  await page.evaluate(() => { delete document.body.dataset.range; });
  const svg = page.locator("#rate-plot svg");
  await svg.scrollIntoViewIfNeeded();
  const box = await svg.boundingBox();
  const s = await svg.evaluate((e) => Object.fromEntries(["t0", "t1", "x0", "x1", "width"].map((k) => [k, +e.dataset[k]])));
  assert(t0 >= s.t0 && t1 <= s.t1, `the span ${t0}..${t1} is not on the plot (${s.t0}..${s.t1})`);
  const px = (t) => box.x + ((s.x0 + ((t - s.t0) / (s.t1 - s.t0)) * (s.x1 - s.x0)) / s.width) * box.width;
  const y = box.y + box.height / 2;
  await page.mouse.move(px(t0), y);
  await page.mouse.down();
  await page.mouse.move((px(t0) + px(t1)) / 2, y, { steps: 4 });
  await page.mouse.move(px(t1), y, { steps: 4 });
  await page.mouse.up();
  await page.waitForFunction(() => !!document.body.dataset.range);
}

await page.goto(url);
let expected = "";
let elapsedMs = 0;

await test("the Node build of the module gives the CLI's alerts", async () => {
  expected = replay([LOG], "example");
  assert(expected.split("\n").filter(Boolean).length > 0, "the native engine raised no alert on the example log");
  const nodePkg = path.join(repo, "target/wasm/web-node/wikiwatch_web.js");
  const { Detector } = createRequire(import.meta.url)(nodePkg);
  const d = new Detector(fs.readFileSync(CONFIG, "utf8"));
  const alerts = [];
  const bytes = fs.readFileSync(LOG);
  for (let i = 0; i < bytes.length; i += 65536) alerts.push(...d.feedBytes(bytes.subarray(i, i + 65536)));
  alerts.push(...d.finish());
  const got = alerts.map((a) => JSON.stringify(a) + "\n").join("");
  fs.writeFileSync(path.join(out, "example.node.jsonl"), got);
  assertEqual(got, expected, "alerts from the Node module");
  assertEqual(d.stats().alerts, alerts.length, "stats().alerts");
  d.free();
});

await test("bad config shows the config error and disables Run", async () => {
  await page.waitForSelector("#config-status.ok");
  await page.fill("#config", '{"rules":{"burst-rate":{"window":"0s"}}}');
  await page.waitForSelector("#config-status.error");
  const msg = await page.textContent("#config-status");
  assert(msg.startsWith("config: rules.burst-rate.window:"), `message: ${msg}`);
  assert(await page.$eval("#run", (b) => b.disabled), "Run must be disabled");
  await page.fill("#config", "{ not json");
  await page.waitForFunction(() => document.querySelector("#config-status").textContent.startsWith("config:") && document.querySelector("#config-status").textContent.includes("line 1"));
});

await test("bundled example log: alerts shown equal the native engine's", async () => {
  if (!expected) expected = replay([LOG], "example");
  await page.click("#example");
  await page.waitForFunction(() => document.querySelector("#files").textContent.includes("confluence-access.log ("));
  await page.waitForSelector("#config-status.ok");
  const config = await page.inputValue("#config");
  assertEqual(JSON.stringify(JSON.parse(config)), JSON.stringify(JSON.parse(fs.readFileSync(CONFIG, "utf8"))), "the example config was not loaded");
  await run();
  elapsedMs = Number(await page.evaluate(() => document.body.dataset.elapsedMs));
  const rows = await shownRows();
  assertEqual(rows.map((r) => JSON.stringify(r)).join("\n"), rowsOf(expected).map((r) => JSON.stringify(r)).join("\n"), "alerts table");
  const shownCount = await page.textContent("#sum-alerts");
  assertEqual(shownCount.replace(/\D/g, ""), String(rows.length), "summary alert count");
  // Every line of the log is an event or a rejected line.
  const events = Number((await page.textContent("#sum-events")).replace(/\D/g, ""));
  const rejected = Number((await page.textContent("#sum-rejected")).replace(/\D/g, ""));
  const lines = fs.readFileSync(LOG, "utf8").split("\n").filter((l) => l.trim()).length;
  assertEqual(events + rejected, lines, "events + rejected lines shown");
});

await test("downloaded alerts are byte-identical to the native engine's JSON Lines", async () => {
  const got = await downloadAlerts();
  fs.writeFileSync(path.join(out, "example.browser.jsonl"), got);
  assertEqual(got, expected, "downloaded alerts");
});

await test("effective config download is the config in force", async () => {
  const [dl] = await Promise.all([page.waitForEvent("download"), page.click("#download-config")]);
  const eff = JSON.parse(fs.readFileSync(await dl.path(), "utf8"));
  const given = JSON.parse(fs.readFileSync(CONFIG, "utf8"));
  assertEqual(JSON.stringify(eff.allow.map((a) => a.name)), JSON.stringify(given.allow.map((a) => a.name)), "allow entries");
  assert(eff.rules && eff.limits && eff.identity, "effective config lacks sections");
});

await test("table filters, sorting and evidence", async () => {
  const all = await shownRows();
  const sev = all[0][2];
  await page.selectOption("#filter-severity", sev);
  const filtered = await page.$$eval("#alert-table tbody tr", (trs) => trs.map((tr) => tr.children[2].textContent));
  assert(filtered.length === all.filter((r) => r[2] === sev).length && filtered.every((s) => s === sev), "severity filter");
  await page.selectOption("#filter-severity", "");
  await page.click('th[data-key="count"]');
  const counts = await page.$$eval("#alert-table tbody tr", (trs) => trs.map((tr) => Number(tr.children[4].textContent.split(" / ")[0])));
  assert(counts.every((c, i) => i === 0 || counts[i - 1] <= c), "sorted by count");
  await page.click("#alert-table tbody tr");
  const ev = await page.textContent("#alert-table tbody tr.evidence pre");
  assert(ev.includes('"evidence"') && ev.includes('"AN1019"'), "evidence row");
  await page.click('th[data-key="time"]');
});

await test("plots: rate lines with alert markers, distinct pages of a selected entity", async () => {
  const series = await page.$$eval("#rate-plot path.series", (p) => p.length);
  const markers = await page.$$eval("#rate-plot g.marker", (g) => g.length);
  assert(series >= 2, `rate series: ${series}`);
  assert(markers >= 1, `alert markers: ${markers}`);
  const options = await page.$$eval("#entity-select option", (o) => o.map((x) => x.value));
  await page.selectOption("#entity-select", options[options.length - 1]);
  const d = await page.$eval("#pages-plot path.series", (p) => p.getAttribute("d"));
  assert(d && d.length > 10, "distinct pages curve");
  await page.selectOption("#entity-select", options[0]);
  await page.screenshot({ path: path.join(repo, "tests/out/browser-harness.png"), fullPage: true });
});

await test("several files dropped at once are merged by event time like `wikiwatch replay A B`", async () => {
  const want = replay([LOG, COMBINED], "merged");
  await page.setInputFiles("#file", [LOG, COMBINED]);
  await run();
  const got = await downloadAlerts();
  fs.writeFileSync(path.join(out, "merged.browser.jsonl"), got);
  assertEqual(got, want, "merged alerts");
  const inputs = await page.textContent("#summary-body");
  assert(inputs.includes("combined") && inputs.includes("confluence-access"), "per-input formats in the summary");
});

await test("a .gz log is read through DecompressionStream", async () => {
  const gz = path.join(out, "confluence-access.log.gz");
  fs.writeFileSync(gz, zlib.gzipSync(fs.readFileSync(LOG)));
  await page.fill("#config", fs.readFileSync(CONFIG, "utf8"));
  await page.waitForSelector("#config-status.ok");
  await page.setInputFiles("#file", gz);
  await run();
  assertEqual(await downloadAlerts(), expected, "alerts from the gzipped log");
});

// What `wikiwatch coverage --json` writes for `files` (named as given, from their folder, so
// the inputs carry the names the page shows) under CONFIG; exit 5 means "not covered".
function cliCoverage(files, format) {
  const dir = path.dirname(files[0]);
  const args = ["coverage", "--json", "--config", CONFIG, ...(format ? ["--format", format] : []), ...files.map((f) => path.basename(f))];
  const r = spawnSync(bin, args, { cwd: dir, maxBuffer: 1 << 26 });
  assert(r.status === 0 || r.status === 5, `wikiwatch coverage exited ${r.status}: ${r.stderr}`);
  return r.stdout.toString();
}
async function downloadCoverage() {
  const [dl] = await Promise.all([page.waitForEvent("download"), page.click("#download-coverage")]);
  return fs.readFileSync(await dl.path(), "utf8");
}

await test("log coverage: the page's report equals `wikiwatch coverage --json`; a missing facet shows its fix", async () => {
  const shots = path.join(repo, "target/browser-e2e");
  fs.mkdirSync(shots, { recursive: true });
  await page.fill("#config", fs.readFileSync(CONFIG, "utf8"));
  await page.waitForSelector("#config-status.ok");
  await page.setInputFiles("#file", [LOG, COMBINED]);
  await run();
  const got = await downloadCoverage();
  fs.writeFileSync(path.join(out, "coverage.browser.json"), got);
  assertEqual(got, cliCoverage([LOG, COMBINED]), "coverage JSON of the example logs");
  const shown = await page.$$eval("#coverage-body table.coverage", (t) => t.map((x) => x.dataset.facet));
  assertEqual(shown.join(","), JSON.parse(got).facets.map((f) => f.facet).join(","), "one table per facet");

  // JSON access records without a User-Agent: the with-what facet misses it.
  const log = path.join(out, "no-agent.jsonl");
  const lines = [];
  const start = Date.parse("2026-06-01T09:00:00Z");
  for (let day = 0; day < 3; day++) {
    for (let i = 0; i < 40; i++) {
      lines.push(JSON.stringify({
        "@timestamp": start + day * 86400e3 + i * 60e3, "source.ip": `192.0.2.${10 + (i % 4)}`,
        "user.name": ["alice", "bob", "carol", "dave"][i % 4], "session.id": `s${i % 4}-${day}`,
        "http.request.method": "GET", "url.original": `/pages/viewpage.action?pageId=${1000 + i}`,
        "http.response.status_code": 200, "http.response.body.bytes": 4096,
      }));
    }
  }
  fs.writeFileSync(log, lines.join("\n") + "\n");
  await page.selectOption("#format", "json");
  await page.setInputFiles("#file", log);
  await run();
  const noAgent = await downloadCoverage();
  assertEqual(noAgent, cliCoverage([log], "json"), "coverage JSON of a log without user agents");
  const row = await page.$eval('#coverage-body table[data-facet="with-what"] tr[data-check="user-agent"]',
    (tr) => ({ verdict: tr.dataset.verdict, fix: tr.querySelector("td.fix").textContent, needed: tr.children[2].textContent }));
  assertEqual(row.verdict, "missing", "user-agent verdict shown");
  assert(row.fix.includes("%{User-Agent}i"), `fix shown: ${row.fix}`);
  assert(row.needed.includes("programmatic-agent"), `needed by: ${row.needed}`);
  assert((await page.textContent("#coverage-verdict")).includes("with-what/user-agent"), "the heading names what is not covered");
  await page.locator("#coverage").screenshot({ path: path.join(shots, "coverage.png") });
  await page.selectOption("#format", "auto");
});

await test("audit and access logs dropped together: a rogue admin's grant then exports is critical", async () => {
  // The rogue-administrator scenario: created and made admin in the audit log, then exports spaces.
  const audit = path.join(out, "audit.jsonl"), access = path.join(out, "conf_access_log.log");
  const rec = (action, key, objects, sec) => JSON.stringify({
    auditType: { action, actionI18nKey: key, area: "USER_MANAGEMENT", category: "Users and groups", level: "BASE" },
    author: { id: "1", name: "admin", type: "user" }, affectedObjects: objects, changedValues: [],
    method: "Browser", source: "198.51.100.7", system: "http://wiki.example.com", timestamp: { epochSecond: sec, nano: 0 },
  });
  const eve = { id: "9", name: "eve.rogue", type: "User" };
  fs.writeFileSync(audit, [
    rec("User created", "audit.logging.summary.user.created", [eve], 1791381600),
    rec("User added to group", "audit.logging.summary.group.membership.added", [eve, { id: "g1", name: "confluence-administrators", type: "Group" }], 1791381660),
  ].join("\n") + "\n");
  const ua = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0 Safari/537.36";
  fs.writeFileSync(access, [`[07/Oct/2026:13:55:00 +0000] bob http-nio-8090-exec-1 10.0.0.8 GET /display/ENG/Home HTTP/1.1 200 12ms 900 - ${ua}`,
    ...["HR", "FIN", "LEGAL"].map((k, i) => `[07/Oct/2026:14:0${4 + i}:00 +0000] eve.rogue http-nio-8090-exec-2 203.0.113.50 GET /spaces/exportspacexml.action?key=${k} HTTP/1.1 200 900ms 5000 - ${ua}`)].join("\n") + "\n");
  const want = replay([audit, access], "rogue-admin");
  await page.setInputFiles("#file", [audit, access]);
  await run();
  const got = await downloadAlerts();
  assertEqual(got, want, "merged audit + access alerts");
  const rows = await shownRows();
  assert(rows.some((r) => r[1] === "privilege-change" && r[2] === "critical" && r[3] === "user eve.rogue"), `no critical privilege-change for eve.rogue in:\n${rows.map((r) => r.join(" | ")).join("\n")}`);
  const inputs = await page.textContent("#summary-body");
  assert(inputs.includes("audit") && inputs.includes("confluence-access"), "per-input formats in the summary");
});

await test("a user's days are drawn against the band the rules judge", async () => {
  // Eight ordinary days of 20 pages, then a day of 400: the last bar is past its band, and the
  // alert's threshold is that day's allowance.
  const log = path.join(out, "baseline_days.log");
  const ua = "Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/128.0";
  const lines = [];
  for (let day = 1; day <= 9; day++) {
    for (let i = 0; i < (day === 9 ? 400 : 20); i++) {
      const t = `${String(day).padStart(2, "0")}/Oct/2026:${String(9 + Math.floor(i / 60)).padStart(2, "0")}:${String(i % 60).padStart(2, "0")}:00 +0000`;
      lines.push(`[${t}] alice http-nio-8090-exec-1 10.0.0.5 GET /display/ENG/Page${i} HTTP/1.1 200 40ms 18000 - ${ua}`);
    }
  }
  fs.writeFileSync(log, lines.join("\n") + "\n");
  const want = replay([log], "baseline-days");
  await page.setInputFiles("#file", log);
  await run();
  assertEqual(await downloadAlerts(), want, "alerts");
  const options = await page.$$eval("#entity-select option", (o) => o.map((x) => [x.value, x.textContent]));
  const alice = options.find(([, label]) => label.startsWith("user alice"));
  assert(alice, `alice in the entity list: ${options.map((o) => o[1]).join(", ")}`);
  await page.selectOption("#entity-select", alice[0]);
  const bands = await page.$$eval("#band-plot rect.band", (r) => r.length);
  const over = await page.$$eval("#band-plot rect.day.over title", (t) => t.map((x) => x.textContent));
  assert(bands >= 3, `band rectangles: ${bands}`);
  assertEqual(over.join("|"), "2026-10-09: 400 pages read, past the band", "the one day past its band");
  const band = (await page.$$eval("#band-plot rect.band title", (t) => t.map((x) => x.textContent))).pop();
  const allowed = Number(band.match(/allowed (\d+)/)[1]);
  const deviation = want.split("\n").filter(Boolean).map((l) => JSON.parse(l)).find((a) => a.rule === "baseline-deviation");
  assert(deviation && deviation.threshold === allowed, `alert threshold ${deviation && deviation.threshold} vs band ${band}`);
  await page.screenshot({ path: path.join(repo, "tests/out/browser-band.png"), fullPage: true });
});

await test("two weeks: incidents first, one incident's exposure report equals `wikiwatch report`", async () => {
  // A generated two-week corpus with an allow-listed indexer and three attacks.
  const dir = path.join(out, "two-weeks");
  fs.rmSync(dir, { recursive: true, force: true });
  execFileSync(bin, ["simulate", "--seed", "7", "--days", "14", "--users", "12", "--attacks", "1,2,4", "--format", "confluence-access", "--out", dir], { stdio: "ignore" });
  const log = path.join(dir, "confluence-access.log"), config = path.join(dir, "config.json");
  const cli = (args) => execFileSync(bin, ["report", "--config", config, ...args, log], { maxBuffer: 1 << 28 }).toString();
  const view = JSON.parse(cli([]));
  assert(view.incidents.length > 0, "the corpus has no incident");
  const shots = path.join(repo, "target/browser-e2e");
  fs.mkdirSync(shots, { recursive: true });

  await page.fill("#config", fs.readFileSync(config, "utf8"));
  await page.waitForSelector("#config-status.ok");
  await page.setInputFiles("#file", log);
  await run();
  // The incident view is the first of the results, row for row the CLI's.
  const order = await page.$$eval("main > section:not([hidden])", (s) => s.map((x) => x.id));
  assertEqual(order.slice(order.indexOf("run-panel") + 1)[0], "incidents", "first view after a run");
  const rows = await page.$$eval("#incident-table tbody tr:not(.evidence)", (trs) => trs.map((tr) => tr.dataset.incident));
  assertEqual(rows.join(","), view.incidents.slice(0, 1000).map((i) => i.incident).join(","), "incident rows");
  // Allow-listed entities stay out of "busiest" and out of the plot.
  const busiest = await page.textContent("#busiest");
  assert(!busiest.includes("allow-listed") && view.busiest.every((b) => !b.allowed), `busiest: ${busiest}`);
  assert(busiest.startsWith(view.busiest[0].entity), `busiest: ${busiest} vs ${view.busiest[0].entity}`);
  const allowed = JSON.parse(cli(["--include-allowed"])).busiest.filter((b) => b.allowed).map((b) => b.entity.replace(":", " "));
  const plotted = await page.$$eval("#rate-plot path.series title", (t) => t.map((x) => x.textContent));
  assert(allowed.length > 0 && !plotted.some((p) => allowed.includes(p)), `allow-listed ${allowed} plotted in ${plotted}`);
  assert(await page.$$eval("#rate-plot rect.activity-band", (r) => r.length) > 0, "baseline band behind the activity");
  await page.screenshot({ path: path.join(shots, "incidents.png"), fullPage: true });

  // The worst user incident: pick it (its entity), then drag across the activity plot over its
  // span, an hour either side; the tables keep only that time and the report takes it.
  const inc = view.incidents.find((i) => i.kind === "user");
  await page.click(`#incident-table tr[data-incident="${inc.incident}"]`);
  assertEqual(await page.inputValue("#report-entity"), `user:${inc.id}`, "report entity");
  const [t0, t1] = [Date.parse(inc.first) - 3600e3, Date.parse(inc.last) + 3600e3];
  const outside = view.incidents.filter((i) => Date.parse(i.last) < t0 || Date.parse(i.first) > t1);
  assert(outside.length > 0, "every incident overlaps the picked one: the zoom could not be seen in the table");
  await zoomTo(t0, t1);
  const range = (await page.evaluate(() => document.body.dataset.range)).split("/").map(Date.parse);
  // A pixel is about a quarter of an hour on two weeks: the hour either side absorbs it.
  assert(range[0] <= Date.parse(inc.first) && range[1] >= Date.parse(inc.last) && range[1] - range[0] < t1 - t0 + 3600e3,
    `zoomed to ${new Date(range[0]).toISOString()}..${new Date(range[1]).toISOString()} for ${inc.first}..${inc.last}`);
  const svg = await page.$eval("#rate-plot svg", (s) => [+s.dataset.t0, +s.dataset.t1]);
  assert(svg[0] >= range[0] && svg[1] <= range[1], `the plot shows ${svg} after zooming to ${range}`);
  const shownIncidents = await page.$$eval("#incident-table tbody tr:not(.evidence)", (trs) => trs.map((tr) => [tr.dataset.incident, tr.children[2].textContent, tr.children[3].textContent]));
  assert(shownIncidents.some(([id]) => id === String(inc.incident)), "the zoomed incident is shown");
  assert(shownIncidents.every(([, first, last]) => Date.parse(last) >= range[0] && Date.parse(first) <= range[1]), `incidents outside the zoom: ${JSON.stringify(shownIncidents)}`);
  assert(shownIncidents.length === view.incidents.length - view.incidents.filter((i) => Date.parse(i.last) < range[0] || Date.parse(i.first) > range[1]).length, "incidents overlapping the zoom");
  const alertTimes = (await shownRows()).map((r) => Date.parse(r[0]));
  assert(alertTimes.length > 0 && alertTimes.every((t) => t >= range[0] && t <= range[1]), `alert times outside the zoom: ${alertTimes.map((t) => new Date(t).toISOString())}`);
  await page.screenshot({ path: path.join(shots, "zoomed.png"), fullPage: true });

  // Download the exposure report of the incident's entity over the zoomed span.
  const [entity, from, to] = await Promise.all(["#report-entity", "#report-from", "#report-to"].map((s) => page.inputValue(s)));
  assertEqual(from, new Date(range[0]).toISOString().replace(/\.\d{3}Z$/, "Z"), "report from: the zoom's start");
  const downloads = [];
  let onDownload;
  const two = new Promise((resolve) => {
    onDownload = (d) => { downloads.push(d); if (downloads.length === 2) resolve(); };
    page.on("download", onDownload);
  });
  await page.click("#download-report");
  await two;
  page.off("download", onDownload);
  const files = Object.fromEntries(await Promise.all(downloads.map(async (d) => [d.suggestedFilename().split(".").pop(), fs.readFileSync(await d.path(), "utf8")])));
  const html = path.join(out, "exposure.cli.html");
  const want = cli(["--entity", entity, "--from", from, "--to", to, "--html", html]);
  fs.writeFileSync(path.join(out, "exposure.browser.json"), files.json);
  assertEqual(files.json, want, "exposure report JSON");
  assertEqual(files.html, fs.readFileSync(html, "utf8"), "exposure report HTML");
  const x = JSON.parse(want).exposure;
  assert(x.events > 0 && x.first >= from && x.last < to, `report of ${entity} ${from}..${to}: ${x.events} events`);
  const report = await context.newPage();
  await report.setContent(files.html);
  await report.screenshot({ path: path.join(shots, "exposure-report.png"), fullPage: true });
  await report.close();
});

await test("a state `wikiwatch learn` wrote starts the page warm: the next evening raises what `replay --state` raises", async () => {
  const dir = path.join(out, "warm-start");
  fs.mkdirSync(dir, { recursive: true });
  // carol's week and the evening after: only her history makes the evening alertable.
  const [hist, eve] = ["carol-week.log", "carol-evening.log"].map((f) => path.join(repo, "tests/fixtures/warm-start", f));
  const learned = path.join(dir, "learned.state");
  fs.rmSync(learned, { force: true });
  const quiet = { stdio: ["ignore", "ignore", "pipe"] };
  execFileSync(bin, ["learn", "--days", "30", "--engine", "native", "--config", CONFIG, "--state", learned, hist], quiet);
  // `replay --state` saves what it read back into the file: it gets a copy, the page the original.
  const forCli = path.join(dir, "learned.cli.state");
  fs.copyFileSync(learned, forCli);
  const warmFile = path.join(dir, "warm.native.jsonl");
  execFileSync(bin, ["replay", "--engine", "native", "--config", CONFIG, "--state", forCli, "--alerts", warmFile, eve], quiet);
  const want = fs.readFileSync(warmFile, "utf8");
  const cold = replay([eve], "warm-start-cold");
  assert(want.includes('"baseline-deviation"') && want !== cold, `the learned history must change the evening's alerts:\nwarm: ${want}\ncold: ${cold}`);

  await page.fill("#config", fs.readFileSync(CONFIG, "utf8"));
  await page.waitForSelector("#config-status.ok");
  await page.setInputFiles("#state-file", learned);
  await page.waitForFunction(() => document.querySelector("#state-status").textContent.startsWith("warm start from learned.state"));
  await page.setInputFiles("#file", eve);
  await run();
  const got = await downloadAlerts();
  fs.writeFileSync(path.join(dir, "warm.browser.jsonl"), got);
  assertEqual(got, want, "the page's alerts from the learned state");
});

await test("no errors in the page or its worker", async () => {
  assert(pageErrors.length === 0, pageErrors.join("\n"));
});

await browser.close();
server.close();
const size = fs.statSync(pkg).size;
const gzSize = zlib.gzipSync(fs.readFileSync(pkg), { level: 9 }).length;
console.log(`module: wikiwatch_web_bg.wasm ${size} bytes, ${gzSize} gzipped`);
console.log(`page processed ${path.relative(repo, LOG)} (${(fs.statSync(LOG).size / 1e6).toFixed(2)} MB) in ${(elapsedMs / 1000).toFixed(2)} s`);
console.log(`screenshot: tests/out/browser-harness.png`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
