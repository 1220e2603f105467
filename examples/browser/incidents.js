// The incident view: one row per entity and incident (worst severity, first and last time,
// rules, counts, evidence), expandable to its alerts. The rows are `wikiwatch report`'s own
// (the `report` export of the module), so the harness and the CLI group alike. A time range
// from the activity plot keeps the incidents that overlap it.

export class IncidentTable {
  constructor(root, onPick) {
    this.root = root;
    this.tbody = root.querySelector("#incident-table tbody");
    this.incidents = [];
    this.range = null;
    this.onPick = onPick;
  }

  set(incidents, busiest) {
    this.incidents = incidents;
    this.busiest = busiest;
    this.render();
  }

  setRange(range) {
    this.range = range;
    this.render();
  }

  visible() {
    if (!this.range) return this.incidents;
    const [t0, t1] = this.range;
    return this.incidents.filter((i) => Date.parse(i.last) >= t0 && Date.parse(i.first) <= t1);
  }

  render() {
    const rows = this.visible();
    this.root.querySelector("#incident-count").textContent = rows.length === this.incidents.length
      ? `(${rows.length})` : `(${rows.length} of ${this.incidents.length} in the selected time)`;
    const frag = document.createDocumentFragment();
    for (const inc of rows.slice(0, 1000)) {
      const tr = document.createElement("tr");
      tr.className = `sev-${inc.severity}`;
      tr.dataset.incident = inc.incident;
      const cells = [inc.severity, `${inc.kind}:${inc.id}${inc.allowed ? " (allow-listed)" : ""}`, inc.first, inc.last,
        inc.rules.join(", "), inc.alerts, inc.max_count, inc.summary];
      for (const c of cells) {
        const td = document.createElement("td");
        td.textContent = c;
        tr.append(td);
      }
      tr.addEventListener("click", () => { this.toggle(tr, inc); this.onPick(inc); });
      frag.append(tr);
    }
    this.tbody.replaceChildren(frag);
    const busy = this.root.querySelector("#busiest");
    busy.textContent = (this.busiest || []).slice(0, 10).map((b) => `${b.entity} ${b.requests.toLocaleString()}`).join(" · ") || "none";
  }

  toggle(tr, inc) {
    const next = tr.nextElementSibling;
    if (next && next.classList.contains("evidence")) { next.remove(); return; }
    const ev = document.createElement("tr");
    ev.className = "evidence";
    const td = document.createElement("td");
    td.colSpan = 8;
    const pre = document.createElement("pre");
    pre.textContent = `evidence ${JSON.stringify(inc.evidence, null, 2)}\n\nalerts:\n` + inc.lines.map((l) => JSON.stringify(l)).join("\n");
    td.append(pre);
    ev.append(td);
    tr.after(ev);
  }
}

