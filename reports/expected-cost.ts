/**
 * Anomalies a scenario declares as the known price of its layout (a checker run with
 * `expectedCost`: stale local reads under geo-partitioning, lagging local reads of a CRDT). They
 * do not fail the run, but a reader must see them: the terminal and the report both list them
 * from here, apart from the anomalies that count.
 */
import type { CheckerResult } from "../checkers/verdict.ts";
import { escapeHtml as h } from "./escape.ts";

export interface ExpectedCost {
  reason: string;
  valid: unknown;
  anomalyTypes: string[];
  anomalies: { type: string; explanation: string }[];
}

export function expectedCostOf(c: CheckerResult): ExpectedCost | undefined {
  const e = c.expectedCost as ExpectedCost | undefined;
  return e && typeof e.reason === "string" && Array.isArray(e.anomalies) ? e : undefined;
}

/** "expected cost: 12 read-your-writes (reads are local: ...)", or undefined when it found none. */
export function expectedCostText(c: CheckerResult): string | undefined {
  const e = expectedCostOf(c);
  if (!e) return undefined;
  if (e.anomalies.length === 0) return `expected cost: none found (${e.reason})`;
  const byType = new Map<string, number>();
  for (const a of e.anomalies) byType.set(a.type, (byType.get(a.type) ?? 0) + 1);
  return `expected cost, not failing the run: ${[...byType].map(([t, n]) => `${n} ${t}`).join(", ")} (${e.reason})`;
}

const SHOWN = 20;

export function renderExpectedCosts(checkers: Record<string, CheckerResult>): string {
  const parts = Object.entries(checkers)
    .map(([name, c]) => [name, expectedCostOf(c)] as const)
    .filter((x): x is readonly [string, ExpectedCost] => x[1] !== undefined);
  if (parts.length === 0) return "";
  return `<h2 id="expected-cost">Expected cost (not failing the run)</h2>${parts
    .map(
      ([name, e]) =>
        `<h3>${h(name)}</h3><p>${h(expectedCostText({ valid: true, anomalyTypes: [], anomalies: [], expectedCost: e }) ?? "")}</p>${
          e.anomalies.length
            ? `<ul>${e.anomalies
                .slice(0, SHOWN)
                .map((a) => `<li>${h(a.type)}: ${h(a.explanation)}</li>`)
                .join(
                  "",
                )}</ul>${e.anomalies.length > SHOWN ? `<p class="note">${h(`Showing ${SHOWN} of ${e.anomalies.length}.`)}</p>` : ""}`
            : ""
        }`,
    )
    .join("")}`;
}
