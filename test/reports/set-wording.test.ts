/**
 * Report wording for set histories, on the real set checker's verdict of a planted history: lost
 * writes and stale reads speak in set terms (never "cannot be linearized" or "partial
 * linearization"), many lost writes under one fault are one card listing them, and fault labels
 * are cut between words.
 */
import { describe, expect, it } from "vitest";
import type { History, Op } from "../../checkers/history/op.ts";
import { checkSet } from "../../checkers/set.ts";
import { combineResults } from "../../checkers/verdict.ts";
import { cutAtWord } from "../../reports/escape.ts";
import { renderReport } from "../../reports/html.ts";
import { fitLabel } from "../../reports/svg.ts";

const FAULT = "region-failover us-east cut off (blackhole): promote pg-eu-west-1, split routing window";

/** 30 acknowledged adds during one fault, all missing from the final reads; one read before it. */
function lostUnderOneFault(): History {
  const h: Op[] = [];
  let index = 0;
  let t = 0;
  const push = (o: Partial<Op>) => h.push({ index: index++, time: (t += 1e6), value: null, ...o } as Op);
  push({ type: "info", process: "nemesis", f: "failover", phase: "start", value: FAULT });
  for (let e = 0; e < 30; e++) {
    push({
      type: "invoke",
      process: e % 5,
      f: "add",
      key: 0,
      value: e,
      region: "us-east",
      node: "pg-us-east-1",
    });
    push({ type: "ok", process: e % 5, f: "add", key: 0, value: e, region: "us-east", node: "pg-us-east-1" });
  }
  // A read during the fault sees every add, so they took effect; the final reads hold none.
  const all = Array.from({ length: 30 }, (_, e) => e);
  push({ type: "invoke", process: 7, f: "read", key: 0, region: "us-east", node: "pg-us-east-1" });
  push({ type: "ok", process: 7, f: "read", key: 0, value: all, region: "us-east", node: "pg-us-east-1" });
  push({ type: "info", process: "nemesis", f: "failover", phase: "stop", value: "healed" });
  for (let p = 10; p < 12; p++) {
    push({
      type: "invoke",
      process: p,
      f: "read",
      key: 0,
      region: "eu-west",
      node: "pg-eu-west-1",
      final: true,
    });
    push({
      type: "ok",
      process: p,
      f: "read",
      key: 0,
      value: [],
      region: "eu-west",
      node: "pg-eu-west-1",
      final: true,
    });
  }
  return h;
}

describe("set anomalies in the report", () => {
  const history = lostUnderOneFault();
  const set = checkSet(history);
  const html = renderReport({ test: { name: "t" }, results: combineResults({ set }), history });

  it("the checker finds the 30 lost writes", () => {
    expect(set.anomalies.filter((a) => a.type === "lost-write")).toHaveLength(30);
  });

  it("speaks in set terms, not linearization", () => {
    const anomalies = html.slice(html.indexOf('id="anomalies"'));
    expect(anomalies).not.toMatch(/cannot be linearized|partial linearization/);
    expect(anomalies).toMatch(/the add that was lost/);
  });

  it("shows the lost writes under one fault as one card that lists them", () => {
    expect(html.match(/<article class="anomaly"/g)).toHaveLength(1);
    expect(html).toMatch(/30 adds lost/);
    expect(html).toMatch(/The lost adds \(30\)/);
  });

  it("cuts fault labels between words", () => {
    expect(cutAtWord(FAULT, 40)).toBe("region-failover us-east cut off…");
    for (const width of [120, 200, 300, 400, 500]) {
      const label = fitLabel(FAULT, width);
      if (!label.endsWith("…")) continue;
      const body = label.slice(0, -1);
      expect(FAULT.startsWith(body)).toBe(true);
      // The next character of the full text is a break between words, never a letter.
      expect(FAULT[body.length]).toMatch(/[\s,;:(]/);
    }
  });
});
