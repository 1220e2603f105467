// The alerts table: sort by any column, filter by text, rule, severity and the time range
// picked on the activity plot, expand evidence.
const SEVERITY_RANK = { low: 0, medium: 1, high: 2, critical: 3 };

const keyOf = {
  time: (a) => a.time,
  rule: (a) => a.rule,
  severity: (a) => SEVERITY_RANK[a.severity] ?? -1,
  entity: (a) => `${a.entity.kind} ${a.entity.id}`,
  count: (a) => a.count,
  privileged: (a) => (a.privileged ? 1 : 0),
  summary: (a) => a.summary,
};

export class AlertTable {
  constructor(root) {
    this.root = root;
    this.tbody = root.querySelector("#alert-table tbody");
    this.alerts = [];
    this.range = null;
    this.sort = { key: "time", dir: 1 };
    this.text = root.querySelector("#filter");
    this.rule = root.querySelector("#filter-rule");
    this.severity = root.querySelector("#filter-severity");
    for (const input of [this.text, this.rule, this.severity]) input.addEventListener("input", () => this.render());
    for (const th of root.querySelectorAll("th[data-key]")) {
      th.addEventListener("click", () => {
        const key = th.dataset.key;
        this.sort = { key, dir: this.sort.key === key ? -this.sort.dir : 1 };
        for (const o of root.querySelectorAll("th[data-key]")) o.removeAttribute("aria-sort");
        th.setAttribute("aria-sort", this.sort.dir > 0 ? "ascending" : "descending");
        this.render();
      });
    }
  }

  set(alerts) {
    // Keep the order raised as a tie-break so equal keys stay in engine order.
    this.alerts = alerts.map((a, i) => ({ a, i, text: JSON.stringify(a).toLowerCase() }));
    const rules = [...new Set(alerts.map((a) => a.rule))].sort();
    this.rule.replaceChildren(new Option("all rules", ""), ...rules.map((r) => new Option(r, r)));
    this.render();
  }

  /** Keeps only alerts raised in `[t0, t1]` (ms); `null` for all. */
  setRange(range) {
    this.range = range;
    this.render();
  }

  visible() {
    const q = this.text.value.trim().toLowerCase();
    const rule = this.rule.value, sev = this.severity.value;
    const inRange = (a) => !this.range || (Date.parse(a.time) >= this.range[0] && Date.parse(a.time) <= this.range[1]);
    const key = keyOf[this.sort.key], dir = this.sort.dir;
    return this.alerts
      .filter((r) => (!q || r.text.includes(q)) && (!rule || r.a.rule === rule) && (!sev || r.a.severity === sev) && inRange(r.a))
      .sort((x, y) => {
        const kx = key(x.a), ky = key(y.a);
        return (kx < ky ? -1 : kx > ky ? 1 : 0) * dir || x.i - y.i;
      });
  }

  render() {
    const rows = this.visible();
    const count = this.root.querySelector("#alert-count");
    count.textContent = rows.length === this.alerts.length ? `(${rows.length})` : `(${rows.length} of ${this.alerts.length})`;
    const frag = document.createDocumentFragment();
    // Rendering tens of thousands of rows would stall the page; the download has them all.
    for (const { a, i } of rows.slice(0, 2000)) {
      const tr = document.createElement("tr");
      tr.className = `sev-${a.severity}`;
      tr.dataset.index = i;
      const cells = [a.time, a.rule, a.severity, `${a.entity.kind} ${a.entity.id}`, `${a.count} / ${a.threshold}`, a.privileged ? "yes" : "", a.summary];
      for (const c of cells) {
        const td = document.createElement("td");
        td.textContent = c;
        tr.append(td);
      }
      tr.addEventListener("click", () => this.toggleEvidence(tr, a));
      frag.append(tr);
    }
    if (rows.length > 2000) {
      const tr = document.createElement("tr");
      tr.innerHTML = `<td colspan="7" class="muted">${rows.length - 2000} more rows not shown (narrow the filter, or download)</td>`;
      frag.append(tr);
    }
    this.tbody.replaceChildren(frag);
  }

  toggleEvidence(tr, a) {
    const next = tr.nextElementSibling;
    if (next && next.classList.contains("evidence")) { next.remove(); return; }
    const ev = document.createElement("tr");
    ev.className = "evidence";
    const td = document.createElement("td");
    td.colSpan = 7;
    const pre = document.createElement("pre");
    pre.textContent = JSON.stringify({ window: a.window, evidence: a.evidence, attack: a.attack }, null, 2);
    td.append(pre);
    ev.append(td);
    tr.after(ev);
  }
}
