/**
 * junit.xml for CI: one testsuite per run, one testcase per checker. An invalid checker is a
 * <failure> carrying its anomaly types and explanations; an undecided one ("unknown": timed out,
 * too little data) is an <error>, so CI does not count it as passed (exit code 2 agrees).
 */
import type { History } from "../checkers/history/op.ts";
import { anomalyTotal, type Results } from "../checkers/verdict.ts";
import { compactValue, escapeXml as x } from "./escape.ts";
import { indexOperations } from "./operations.ts";
import { verdictText } from "./verdict-text.ts";

/** Explanations listed per failing checker; the rest are counted. */
const MAX_EXPLANATIONS = 50;

function seconds(stats: Record<string, number | string> | undefined): string {
  const ms = stats?.ms ?? stats?.timeMs ?? stats?.elapsedMs;
  return typeof ms === "number" && Number.isFinite(ms) ? (ms / 1000).toFixed(3) : "0";
}

export function renderJUnit(results: Results, test: unknown, history: History = []): string {
  const t = (test && typeof test === "object" ? test : {}) as Record<string, unknown>;
  const suite = `faultline.${String(t.name ?? "run")}`;
  const entries = Object.entries(results.checkers);
  const failures = entries.filter(([, c]) => c.valid === false).length;
  const errors = entries.filter(([, c]) => c.valid !== true && c.valid !== false).length;
  const headline = verdictText(results, indexOperations(history)).headline;

  const cases = entries.map(([name, c]) => {
    const open = `    <testcase classname="${x(suite)}" name="${x(name)}" time="${seconds(c.stats)}">`;
    if (c.valid === true) return `${open}</testcase>`;
    if (c.valid === false) {
      const anomalies = c.anomalies ?? [];
      const counts = new Map<string, number>();
      for (const a of anomalies) counts.set(a.type, (counts.get(a.type) ?? 0) + 1);
      const types = (c.anomalyTypes ?? []).length ? c.anomalyTypes : [...counts.keys()];
      const total = anomalyTotal(c);
      const message = `${types.join(", ")}: ${total} ${total === 1 ? "anomaly" : "anomalies"}`;
      const lines = anomalies.slice(0, MAX_EXPLANATIONS).map((a) => {
        const key = a.key !== undefined ? ` [key ${compactValue(a.key, 60)}]` : "";
        return `${a.type}${key}: ${a.explanation ?? ""}`;
      });
      if (total > lines.length)
        lines.push(`... and ${total - lines.length} more (showing ${lines.length} of ${total})`);
      return `${open}\n      <failure type="${x(types.join(","))}" message="${x(message)}">${x(lines.join("\n"))}</failure>\n    </testcase>`;
    }
    const reason = c.reason ?? "the checker could not decide";
    return `${open}\n      <error type="unknown" message="${x(reason)}">${x(`verdict unknown: ${reason}`)}</error>\n    </testcase>`;
  });

  const props = ["scenario", "seed", "name"]
    .filter((k) => t[k] !== undefined)
    .map((k) => `      <property name="${x(k)}" value="${x(compactValue(t[k], 200))}"/>`);
  if (results.expectation) {
    props.push(`      <property name="expectation" value="${x(results.expectation.text)}"/>`);
    props.push(
      `      <property name="matches-expectation" value="${results.expectation.matches ? "true" : "false"}"/>`,
    );
  }
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites name="faultline" tests="${entries.length}" failures="${failures}" errors="${errors}">`,
    `  <testsuite name="${x(suite)}" tests="${entries.length}" failures="${failures}" errors="${errors}" skipped="0">`,
    ...(props.length ? ["    <properties>", ...props, "    </properties>"] : []),
    ...cases,
    `    <system-out>${x(results.expectation ? `${headline}\n${results.expectation.text}` : headline)}</system-out>`,
    "  </testsuite>",
    "</testsuites>",
    "",
  ].join("\n");
}
