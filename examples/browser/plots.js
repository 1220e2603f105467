// Plain SVG line plots: no library, no network. Time on x (UTC), counts on y.
const NS = "http://www.w3.org/2000/svg";
export const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2"];
const SEVERITY_COLOR = { low: "#7f7f7f", medium: "#ff7f0e", high: "#d62728", critical: "#7b0000" };

function el(name, attrs = {}, text) {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

function fmtTime(ms, spanMs) {
  const iso = new Date(ms).toISOString();
  if (spanMs > 2 * 86400e3) return iso.slice(5, 10) + " " + iso.slice(11, 16);
  return spanMs < 3600e3 ? iso.slice(11, 19) : iso.slice(11, 16);
}

function niceMax(v) {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

// Too many points for the width: sum into wider buckets, shown as a per-minute average.
function downsample(points, maxPoints) {
  if (points.length <= maxPoints) return { points, factor: 1 };
  const t0 = points[0][0], t1 = points[points.length - 1][0];
  const factor = Math.ceil((t1 - t0) / 60000 / maxPoints) || 1;
  const width = factor * 60000;
  const out = new Map();
  for (const [t, n] of points) {
    const b = t0 + Math.floor((t - t0) / width) * width;
    out.set(b, (out.get(b) || 0) + n);
  }
  return { points: [...out.entries()].map(([t, n]) => [t, n / factor]), factor };
}

// Minutes without requests are absent from the data: put zeros at the edges of each gap so
// the line drops to zero instead of drawing a diagonal across an idle night.
function fillGaps(points, width) {
  const out = [];
  for (let i = 0; i < points.length; i++) {
    const [t, n] = points[i];
    const prev = out.length ? out[out.length - 1][0] : null;
    if (prev !== null && t - prev > width) {
      out.push([prev + width, 0]);
      if (t - width > prev + width) out.push([t - width, 0]);
    }
    out.push([t, n]);
  }
  return out;
}

/**
 * Draws series [{label, color, points:[[ms, y]], step}] and markers [{t, label, color, series}]
 * into `host`. Returns the svg.
 */
export function linePlot(host, { series, markers = [], yLabel, width = 1000, height = 280 }) {
  host.replaceChildren();
  const m = { l: 56, r: 40, t: 12, b: 36 };
  const svg = el("svg", { viewBox: `0 0 ${width} ${height}`, class: "plot-svg", role: "img" });
  const all = series.flatMap((s) => s.points);
  if (!all.length) {
    svg.append(el("text", { x: width / 2, y: height / 2, "text-anchor": "middle", class: "muted" }, "no data"));
    host.append(svg);
    return svg;
  }
  let tMin = Math.min(...all.map((p) => p[0]), ...markers.map((k) => k.t));
  let tMax = Math.max(...all.map((p) => p[0]), ...markers.map((k) => k.t));
  if (tMax === tMin) tMax = tMin + 60000;
  const yMax = niceMax(Math.max(...all.map((p) => p[1])));
  const x = (t) => m.l + ((t - tMin) / (tMax - tMin)) * (width - m.l - m.r);
  const y = (v) => height - m.b - (v / yMax) * (height - m.t - m.b);
  // Axes and grid.
  for (let i = 0; i <= 4; i++) {
    const v = (yMax * i) / 4;
    svg.append(el("line", { x1: m.l, x2: width - m.r, y1: y(v), y2: y(v), class: "grid" }));
    svg.append(el("text", { x: m.l - 6, y: y(v) + 4, "text-anchor": "end", class: "tick" }, +v.toFixed(1)));
  }
  for (let i = 0; i <= 6; i++) {
    const t = tMin + ((tMax - tMin) * i) / 6;
    svg.append(el("text", { x: x(t), y: height - m.b + 16, "text-anchor": "middle", class: "tick" }, fmtTime(t, tMax - tMin)));
  }
  svg.append(el("text", { x: 12, y: m.t + 8, class: "tick", transform: `rotate(-90 12 ${m.t + 8})`, "text-anchor": "end" }, yLabel));
  svg.append(el("text", { x: width - m.r, y: height - 4, "text-anchor": "end", class: "tick" }, "UTC"));
  for (const s of series) {
    const d = s.points.map(([t, v], i) => {
      const px = x(t).toFixed(1), py = y(v).toFixed(1);
      if (i === 0) return `M${px},${py}`;
      return s.step ? `H${px}V${py}` : `L${px},${py}`;
    }).join("");
    const path = el("path", { d, fill: "none", stroke: s.color, "stroke-width": 1.6, class: "series" });
    path.append(el("title", {}, s.label));
    svg.append(path);
  }
  for (const k of markers) {
    const cx = x(k.t);
    const g = el("g", { class: "marker" });
    g.append(el("line", { x1: cx, x2: cx, y1: m.t, y2: height - m.b, stroke: k.color, "stroke-dasharray": "3,3", "stroke-width": 1 }));
    g.append(el("path", { d: `M${cx - 5},${m.t} L${cx + 5},${m.t} L${cx},${m.t + 8} Z`, fill: k.color }));
    g.append(el("title", {}, k.label));
    svg.append(g);
  }
  // The scale, for a brush drawn over the plot.
  Object.assign(svg.dataset, { t0: tMin, t1: tMax, x0: m.l, x1: width - m.r, width });
  host.append(svg);
  return svg;
}

/**
 * Lets the user drag across `svg` (made by linePlot) to pick a time range: `onSelect([t0, t1])`
 * with event times in ms; a double click calls `onSelect(null)` (everything).
 */
export function brush(svg, onSelect) {
  const d = svg.dataset;
  const [t0, t1, x0, x1, width] = [+d.t0, +d.t1, +d.x0, +d.x1, +d.width];
  const toX = (ev) => {
    const r = svg.getBoundingClientRect();
    return Math.min(x1, Math.max(x0, ((ev.clientX - r.left) / r.width) * width));
  };
  const toT = (x) => Math.round(t0 + ((x - x0) / (x1 - x0)) * (t1 - t0));
  const rect = el("rect", { class: "brush", y: 0, height: "100%", x: 0, width: 0 });
  svg.append(rect);
  let start = null;
  svg.addEventListener("pointerdown", (ev) => { start = toX(ev); svg.setPointerCapture(ev.pointerId); });
  svg.addEventListener("pointermove", (ev) => {
    if (start === null) return;
    const x = toX(ev);
    rect.setAttribute("x", Math.min(start, x));
    rect.setAttribute("width", Math.abs(x - start));
  });
  svg.addEventListener("pointerup", (ev) => {
    if (start === null) return;
    const x = toX(ev);
    const [a, b] = [Math.min(start, x), Math.max(start, x)];
    start = null;
    rect.setAttribute("width", 0);
    if (b - a >= 3) onSelect([toT(a), toT(b)]);
  });
  svg.addEventListener("dblclick", () => onSelect(null));
}

/** Points inside `range` (all when none). */
function within(points, range) {
  return range ? points.filter(([t]) => t >= range[0] && t <= range[1]) : points;
}

/**
 * Requests per minute of each entity, alert markers coloured by severity, zoomed to `range`
 * when given. A user's baseline is drawn behind their line as a band: per day, from the usual
 * day to what the rules allow, spread over the day's minutes (pages per minute at that pace).
 */
export function ratePlot(host, entities, alerts, range = null) {
  const series = entities.map((e, i) => {
    const ds = downsample(within(e.minutes, range), 800);
    const points = fillGaps(ds.points, ds.factor * 60000);
    return { label: `${e.kind} ${e.id}`, color: COLORS[i % COLORS.length], points, factor: ds.factor };
  });
  const shown = new Set(entities.map((e) => `${e.kind}\u0000${e.id}`));
  const markers = alerts
    .filter((a) => shown.has(`${a.entity.kind}\u0000${a.entity.id}`))
    .map((a) => ({ t: Date.parse(a.time), color: SEVERITY_COLOR[a.severity] || "#000", label: `${a.time} ${a.rule} (${a.severity}) ${a.entity.kind} ${a.entity.id}` }));
  const factor = Math.max(1, ...series.map((s) => s.factor));
  const svg = linePlot(host, { series, markers: range ? markers.filter((k) => k.t >= range[0] && k.t <= range[1]) : markers,
    yLabel: factor > 1 ? `requests/min (avg over ${factor} min)` : "requests/min" });
  drawBands(svg, entities, series);
  host.append(legend(series));
  return svg;
}

// Behind each user's line: their day's band (usual to allowed pages a day, as pages a minute).
function drawBands(svg, entities, series) {
  const d = svg.dataset;
  if (d.t0 === undefined) return;
  const [t0, t1, x0, x1] = [+d.t0, +d.t1, +d.x0, +d.x1];
  const ticks = [...svg.querySelectorAll("text.tick")].filter((t) => t.getAttribute("text-anchor") === "end" && !t.getAttribute("transform"));
  const grid = [...svg.querySelectorAll("line.grid")];
  if (grid.length < 2 || !ticks.length) return;
  const yTop = +grid[grid.length - 1].getAttribute("y1"), yZero = +grid[0].getAttribute("y1");
  const yMax = Math.max(...ticks.map((t) => +t.textContent).filter(Number.isFinite));
  const y = (v) => yZero - (Math.min(v, yMax) / yMax) * (yZero - yTop);
  const x = (t) => x0 + ((Math.min(Math.max(t, t0), t1) - t0) / (t1 - t0)) * (x1 - x0);
  const first = svg.querySelector("path.series");
  entities.forEach((e, i) => {
    for (const day of e.baseline || []) {
      const p = day.bands.find((b) => b.metric === "pages");
      const start = Date.parse(day.date + "T00:00:00Z");
      if (!p || start + 86400e3 < t0 || start > t1) continue;
      const r = el("rect", { x: x(start), width: Math.max(0, x(start + 86400e3) - x(start)), y: y(p.allowed / 1440),
        height: Math.max(0.5, y(p.usual / 1440) - y(p.allowed / 1440)), class: "band activity-band", fill: series[i].color, "fill-opacity": 0.12 });
      r.append(el("title", {}, `${e.kind} ${e.id} ${day.date}: usual ${p.usual} pages, allowed ${p.allowed}`));
      svg.insertBefore(r, first);
    }
  });
}

/** Cumulative distinct pages of one entity, with its alerts. */
export function pagesPlot(host, entity, alerts) {
  const pts = entity ? entity.pages.slice() : [];
  if (pts.length) pts.unshift([pts[0][0], 0]);
  const mine = entity ? alerts.filter((a) => a.entity.kind === entity.kind && a.entity.id === entity.id) : [];
  linePlot(host, {
    series: entity ? [{ label: `${entity.kind} ${entity.id}`, color: COLORS[0], points: pts, step: true }] : [],
    markers: mine.map((a) => ({ t: Date.parse(a.time), color: SEVERITY_COLOR[a.severity] || "#000", label: `${a.time} ${a.rule} (${a.severity})` })),
    yLabel: "distinct pages",
  });
  if (entity) {
    const p = document.createElement("p");
    p.className = "muted";
    p.textContent = `${entity.distinct_pages} distinct pages${entity.saturated ? " (capped)" : ""} in ${entity.total} requests`;
    host.append(p);
  }
}

/**
 * Pages a user read each day against their baseline: the shaded band runs from the usual day to
 * what the rules allow that day, the tick is the usual day, the bar today's count (red past
 * the band). The figures are the engine's own (`baseline` of the activity).
 */
export function bandPlot(host, entity) {
  host.replaceChildren();
  const days = entity && entity.baseline ? entity.baseline : [];
  const rows = days.map((d) => ({ date: d.date, p: d.bands.find((b) => b.metric === "pages") }));
  if (!rows.some((r) => r.p)) {
    const p = document.createElement("p");
    p.className = "muted";
    p.textContent = entity && entity.kind === "user"
      ? "no baseline yet: too little history of their own, their team or role"
      : "baselines are kept for users";
    host.append(p);
    return;
  }
  const width = 1000, height = 240, m = { l: 56, r: 40, t: 12, b: 36 };
  const svg = el("svg", { viewBox: `0 0 ${width} ${height}`, class: "plot-svg band-plot", role: "img" });
  const yMax = niceMax(Math.max(...rows.filter((r) => r.p).map((r) => Math.max(r.p.today, r.p.allowed))));
  const slot = (width - m.l - m.r) / rows.length;
  const y = (v) => height - m.b - (v / yMax) * (height - m.t - m.b);
  for (let i = 0; i <= 4; i++) {
    const v = (yMax * i) / 4;
    svg.append(el("line", { x1: m.l, x2: width - m.r, y1: y(v), y2: y(v), class: "grid" }));
    svg.append(el("text", { x: m.l - 6, y: y(v) + 4, "text-anchor": "end", class: "tick" }, +v.toFixed(1)));
  }
  svg.append(el("text", { x: 12, y: m.t + 8, class: "tick", transform: `rotate(-90 12 ${m.t + 8})`, "text-anchor": "end" }, "pages per day"));
  const every = Math.max(1, Math.ceil(rows.length / 14));
  rows.forEach((r, i) => {
    const x0 = m.l + i * slot, w = Math.max(2, slot * 0.6), xb = x0 + (slot - w) / 2;
    if (i % every === 0) svg.append(el("text", { x: x0 + slot / 2, y: height - m.b + 16, "text-anchor": "middle", class: "tick" }, r.date.slice(5)));
    if (!r.p) return;
    const band = el("rect", { x: x0 + 1, width: slot - 2, y: y(r.p.allowed), height: Math.max(0, y(r.p.usual) - y(r.p.allowed)), class: "band" });
    band.append(el("title", {}, `${r.date}: usual ${r.p.usual} (${r.p.days ? `own, ${r.p.days} days` : r.p.basis}), allowed ${r.p.allowed}`));
    svg.append(band);
    svg.append(el("line", { x1: x0 + 1, x2: x0 + slot - 1, y1: y(r.p.usual), y2: y(r.p.usual), class: "usual" }));
    const over = r.p.today > r.p.allowed;
    const bar = el("rect", { x: xb, width: w, y: y(r.p.today), height: y(0) - y(r.p.today), class: over ? "day over" : "day" });
    bar.append(el("title", {}, `${r.date}: ${r.p.today} pages read${over ? ", past the band" : ""}`));
    svg.append(bar);
  });
  host.append(svg);
}

function legend(series) {
  const div = document.createElement("div");
  div.className = "legend";
  for (const s of series) {
    const span = document.createElement("span");
    span.innerHTML = `<i style="background:${s.color}"></i>`;
    span.append(document.createTextNode(s.label));
    div.append(span);
  }
  return div;
}
