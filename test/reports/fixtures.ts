/** Loads the report fixtures (run folders under test/fixtures/reports) and makes hostile copies. */
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Op } from "../../checkers/history/op.ts";
import { type RunFolderContents, readRunFolder } from "../../reports/write.ts";

export const FIXTURES = new URL("../fixtures/reports/", import.meta.url).pathname;
export const REGISTER = join(FIXTURES, "register-stale-reads");
export const ELLE = join(FIXTURES, "elle-g-single");

export const XSS_SCRIPT = "<script>alert(1)</script>";
export const XSS_ATTR = `"><img src=x onerror=alert(2)>`;
export const XSS_QUOTE = `'><svg onload=alert(3)>`;

/** A copy of a fixture run folder in a temp dir; remove it with the returned cleanup. */
export function copyFixture(dir: string): { dir: string; cleanup: () => void } {
  const tmp = mkdtempSync(join(tmpdir(), "faultline-reports-"));
  const dest = join(tmp, "store", "pg-async-replica", "20261123T120000.000Z");
  cpSync(dir, dest, { recursive: true });
  return { dir: dest, cleanup: () => rmSync(tmp, { recursive: true, force: true }) };
}

/** Every string a database, config or checker could put in the report, replaced by hostile markup. */
export function makeHostile(run: RunFolderContents): RunFolderContents {
  const evil = `${XSS_SCRIPT}${XSS_ATTR}${XSS_QUOTE}`;
  const mark = (op: Op): Op => {
    if (op.process === "nemesis")
      return { ...op, f: `partition${XSS_ATTR}`, value: { description: evil, cut: [evil] } };
    return {
      ...op,
      node: `${op.node}${XSS_ATTR}`,
      region: op.region === "eu-west" ? `eu-west${XSS_SCRIPT}` : op.region,
      value: op.f === "read" && op.type === "ok" ? evil : op.value,
      error: op.error === undefined ? undefined : evil,
    };
  };
  const results = structuredClone(run.results);
  for (const c of Object.values(results.checkers)) {
    c.reason = evil;
    for (const a of c.anomalies) {
      a.explanation = `${a.explanation} ${evil}`;
      a.key = evil;
      if (a.ops) a.ops = a.ops.map(mark);
      if (a.op && typeof a.op === "object") a.op = { ...(a.op as object), value: evil };
      if (Array.isArray(a.statesBefore)) a.statesBefore = [evil];
      const cycle = a.cycle as
        | {
            graph?: { nodes: { label: string; id: string }[]; edges: { text: string; kind: string }[] };
            text?: string;
          }
        | undefined;
      if (cycle?.graph) {
        for (const n of cycle.graph.nodes) n.label = evil;
        for (const e of cycle.graph.edges) {
          e.text = evil;
          e.kind = `rw${XSS_ATTR}`;
        }
        cycle.text = evil;
      }
    }
  }
  results.signals = { [evil]: evil };
  // Checker names, anomaly types and stats come from results.json, which is a file like any other.
  const [firstName, first] = Object.entries(results.checkers)[0];
  delete results.checkers[firstName];
  results.checkers[`${firstName}${XSS_SCRIPT}`] = first;
  first.stats = { ...(first.stats ?? {}), [evil]: evil };
  if (first.anomalies[0]) first.anomalies[0].type = `G-single${XSS_ATTR}`;
  first.anomalyTypes = [...first.anomalyTypes, evil];
  (first as Record<string, unknown>).not = [evil];
  (first as Record<string, unknown>).consistencyModel = evil;
  return {
    test: {
      ...(run.test as object),
      name: evil,
      scenario: evil,
      extra: evil,
      schedule: [{ at: 1, f: evil, target: evil }],
    },
    results,
    history: run.history.map(mark),
    metrics: (run.metrics ?? []).map((m) => ({ ...m, from: evil, to: XSS_ATTR })),
  };
}

export { readRunFolder };
