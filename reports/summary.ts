/**
 * summary.md: the run in Markdown for CI job summaries ($GITHUB_STEP_SUMMARY and the like). Job
 * summaries render inline HTML, so every value from the run is escaped (escapeMarkdown).
 */
import type { History } from "../checkers/history/op.ts";
import { anomalyTotal, type Results, type Validity } from "../checkers/verdict.ts";
import { countOps } from "./counts.ts";
import { compactValue, escapeMarkdown as md } from "./escape.ts";
import { indexOperations, intervalFor } from "./operations.ts";
import { formatSeconds } from "./svg.ts";
import { describeFault, subjectOp, verdictText } from "./verdict-text.ts";

const MAX_ANOMALIES = 10;

const ICON: Record<string, string> = { true: "✅", false: "❌", unknown: "⚠️" };
const WORD: Record<string, string> = { true: "valid", false: "invalid", unknown: "unknown" };

function v(valid: Validity): string {
  return `${ICON[String(valid)] ?? "?"} ${WORD[String(valid)] ?? String(valid)}`;
}

export function renderSummary(results: Results, test: unknown, history: History = []): string {
  const t = (test && typeof test === "object" ? test : {}) as Record<string, unknown>;
  const ops = indexOperations(history);
  const verdict = verdictText(results, ops);
  const out: string[] = [];
  out.push(`## ${ICON[String(results.valid)] ?? ""} faultline: ${md(String(t.name ?? "run"))}`, "");
  out.push(`**${md(verdict.headline)}**`, "");
  // Whether that is what the scenario expects (a negative control must find its anomalies).
  if (results.expectation)
    out.push(`${results.expectation.matches ? "✅" : "❌"} ${md(results.expectation.text)}`, "");
  const facts = [
    t.scenario !== undefined ? `scenario ${md(String(t.scenario))}` : "",
    t.seed !== undefined ? `seed ${md(String(t.seed))}` : "",
  ].filter(Boolean);
  if (history.length) {
    const c = countOps(ops.intervals, ops.hasTimes).total;
    const noEffect = c.noEffect ? `, ${c.noEffect} no effect (normal answer)` : "";
    facts.push(
      `${c.ops} ops (${c.ok} ok${noEffect}, ${c.fail} fail, ${c.info} info)`,
      `${ops.faults.length} faults`,
    );
  }
  if (facts.length) out.push(facts.join(" · "), "");

  out.push("| checker | verdict | anomaly types | anomalies |", "|---|---|---|---:|");
  for (const [name, c] of Object.entries(results.checkers)) {
    out.push(
      `| ${md(name)} | ${v(c.valid)} | ${md((c.anomalyTypes ?? []).join(", "))} | ${anomalyTotal(c)} |`,
    );
  }
  out.push("");

  const all = Object.entries(results.checkers).flatMap(([name, c]) =>
    (c.anomalies ?? []).map((a) => ({ name, a })),
  );
  if (all.length) {
    // The total counts what checkers counted but did not list, as the headline and table do.
    const total = Object.values(results.checkers).reduce((n, c) => n + anomalyTotal(c), 0);
    const shown = Math.min(MAX_ANOMALIES, all.length);
    out.push(shown < total ? `### Anomalies (showing ${shown} of ${total})` : `### Anomalies (${total})`, "");
    for (const { name, a } of all.slice(0, MAX_ANOMALIES)) {
      const s = subjectOp(a, ops);
      const iv = s ? intervalFor(ops, s) : undefined;
      const where: string[] = [];
      if (iv?.region) where.push(iv.region);
      if (iv && ops.hasTimes) where.push(formatSeconds(iv.completeTime ?? iv.invokeTime));
      if (iv) {
        const t0 = iv.completeTime ?? iv.invokeTime;
        const f = ops.faults.find((w) => w.start <= t0 && (w.stop === undefined || t0 <= w.stop));
        if (f) where.push(`during ${describeFault(f)}`);
      }
      const key = a.key !== undefined ? ` key ${md(compactValue(a.key, 40))}` : "";
      out.push(
        `- **${md(a.type)}** (${md(name)}${key})${where.length ? ` ${md(where.join(", "))}` : ""}: ${md(compactValue(a.explanation ?? "", 300))}`,
      );
    }
    out.push("");
  }
  out.push("Full details: `report.html` and `results.json` in the run folder.", "");
  return out.join("\n");
}
