/**
 * Our Elle checkers against histories from other tools with known verdicts: Elle's own test
 * histories (jepsen-io/elle) and elle-cli's test data (ligurio/elle-cli). Each case in
 * test/fixtures/elle-real/cases.json states what Elle says (in Elle's names), what we say, and
 * where we deliberately differ and why (README.md there has the table). A case fails when our
 * output changes, or when a documented difference stops being true.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Checker } from "../../checkers/checker.ts";
import { type ElleResult, elleListAppendChecker, elleRwRegisterChecker } from "../../checkers/elle/index.ts";
import { parseHistory } from "../../checkers/history/parse.ts";

const DIR = join(import.meta.dirname, "..", "fixtures", "elle-real");

interface Verdict {
  valid: boolean | "unknown";
  anomalyTypes: string[];
  not?: string[];
}

interface Case {
  file: string;
  checker: "elle-list-append" | "elle-rw-register";
  model: string;
  options?: Record<string, unknown>;
  source: string;
  elle: Verdict;
  ours: Verdict;
  counts?: Record<string, number>;
  /** Elle's anomaly types we name differently; the note says why. */
  elleOnly?: string[];
  notDiffers?: string;
  verdictDiffers?: string;
  note?: string;
}

interface ErrorCase {
  file: string;
  checker: Case["checker"];
  source: string;
  error: string;
}

const { cases, errors } = JSON.parse(readFileSync(join(DIR, "cases.json"), "utf8")) as {
  cases: Case[];
  errors: ErrorCase[];
};

const CHECKERS: Record<Case["checker"], Checker> = {
  "elle-list-append": elleListAppendChecker,
  "elle-rw-register": elleRwRegisterChecker,
};

/** Elle's names in ours (DESIGN.md): our G-single / G-nonadjacent are always item-level. */
export function fromElle(type: string): string {
  return type.replace(/^(G-single|G-nonadjacent)-item/, "$1");
}

/** Elle's bookkeeping, not anomalies: an empty graph (our "unknown"), cycles proven but not shown. */
function isElleMarker(type: string): boolean {
  return type === "empty-transaction-graph" || type.endsWith("-cycle-exists");
}

function load(file: string) {
  return parseHistory(readFileSync(join(DIR, file), "utf8"), { fileName: file });
}

async function check(c: Case): Promise<ElleResult> {
  const h = load(c.file);
  return (await CHECKERS[c.checker].check(h, { consistencyModel: c.model, ...c.options })) as ElleResult;
}

const sorted = (xs: readonly string[]) => [...xs].sort();

describe("elle on other tools' histories", () => {
  for (const c of cases) {
    const opts = c.options && Object.keys(c.options).length > 0 ? ` ${JSON.stringify(c.options)}` : "";
    it(`${c.file} as ${c.model}${opts}: ${c.ours.valid} ${c.ours.anomalyTypes.join(" ")}`, async () => {
      const r = await check(c);
      // What we say (regression).
      expect(r.valid).toBe(c.ours.valid);
      expect(sorted(r.anomalyTypes)).toEqual(sorted(c.ours.anomalyTypes));
      if (c.ours.not) expect(sorted(r.not)).toEqual(sorted(c.ours.not));
      for (const [type, n] of Object.entries(c.counts ?? {})) expect(r.stats?.[`count:${type}`]).toBe(n);

      // Agreement with Elle, or the documented difference.
      if (c.verdictDiffers) expect(r.valid).not.toBe(c.elle.valid);
      else expect(r.valid).toBe(c.elle.valid);
      const seen = new Set([...r.anomalyTypes, ...r.allowedAnomalyTypes]);
      const elleTypes = c.elle.anomalyTypes.filter((t) => !isElleMarker(t)).map(fromElle);
      for (const t of elleTypes) {
        if (c.elleOnly?.includes(t)) expect(seen.has(t), `${t} is documented as Elle's only`).toBe(false);
        else expect(seen.has(t), `Elle reports ${t}`).toBe(true);
      }
      if (c.elle.not && !c.notDiffers && !c.verdictDiffers) {
        expect(sorted(r.not)).toEqual(sorted(c.elle.not));
      }
      // Every case with an anomaly Elle does not report, or a verdict Elle does not give, says why.
      const extra = r.anomalyTypes.filter((t) => !elleTypes.includes(t));
      if (extra.length > 0 || c.verdictDiffers) {
        expect(c.note ?? c.verdictDiffers ?? "", `why we also report ${extra.join(", ")}`).not.toBe("");
      }
    });
  }

  for (const e of errors) {
    it(`${e.file}: a line-numbered error, not a crash`, async () => {
      await expect(async () => CHECKERS[e.checker].check(load(e.file), {})).rejects.toThrow(
        new RegExp(e.error),
      );
    });
  }

  it("every fixture file is used, and the folder stays small", async () => {
    const { readdirSync, statSync } = await import("node:fs");
    const used = new Set([...cases.map((c) => c.file), ...errors.map((e) => e.file)]);
    let total = 0;
    for (const sub of ["elle", "elle-cli"]) {
      for (const f of readdirSync(join(DIR, sub))) {
        const size = statSync(join(DIR, sub, f)).size;
        total += size;
        expect(size).toBeLessThan(1_000_000);
        if (!f.startsWith("robust-")) expect(used.has(`${sub}/${f}`), `${sub}/${f} has a case`).toBe(true);
      }
    }
    expect(total).toBeLessThan(5_000_000);
  });
});
