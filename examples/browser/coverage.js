// The "Log coverage" section: `wikiwatch coverage --json` for the loaded files (built in the
// worker by the same code), one table per AN1019 facet: each check's verdict, what the logs
// showed, and what to change in Confluence when it falls short.
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);

export function renderCoverage(body, verdictEl, report) {
  verdictEl.textContent = report.ok
    ? `— every check an enabled rule needs is covered (${report.events.toLocaleString()} events over ${report.days} days)`
    : `— needed and not covered: ${report.uncovered.join(", ")}`;
  verdictEl.className = report.ok ? "ok" : "error";
  body.innerHTML = report.facets.map((f) => `
    <table class="coverage" data-facet="${esc(f.facet)}">
      <caption>${esc(f.facet)} <span class="verdict verdict-${f.verdict}">${f.verdict}</span></caption>
      <thead><tr><th>check</th><th>verdict</th><th>needed by</th><th>evidence</th><th>what to change</th></tr></thead>
      <tbody>${f.checks.map((c) => `
        <tr data-check="${esc(c.check)}" data-verdict="${c.verdict}">
          <td>${esc(c.check)}</td>
          <td><span class="verdict verdict-${c.verdict}">${c.verdict}</span></td>
          <td>${esc(c.needed_by.join(", "))}</td>
          <td>${esc(c.evidence)}</td>
          <td class="fix">${c.fix ? esc(c.fix) : ""}</td>
        </tr>`).join("")}
      </tbody>
    </table>`).join("");
}
