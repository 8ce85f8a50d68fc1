import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type ElleResult, elleListAppendChecker, elleRwRegisterChecker } from "../../checkers/elle/index.ts";
import { HistoryParseError, parseHistory } from "../../checkers/history/parse.ts";

const FIXTURES = join(import.meta.dirname, "..", "fixtures");

function load(name: string) {
  return parseHistory(readFileSync(join(FIXTURES, name), "utf8"), { fileName: name });
}

describe("elle on history files", () => {
  it("a valid JSONL list-append history (with fails and infos) passes strict-serializable", async () => {
    const r = (await elleListAppendChecker.check(load("elle-list-append-valid.jsonl"), {})) as ElleResult;
    expect(r.anomalyTypes).toEqual([]);
    expect(r.valid).toBe(true);
    expect(r.stats?.fail).toBeGreaterThan(0);
    expect(r.stats?.info).toBeGreaterThan(0);
  });

  it("Jepsen EDN write skew: G2-item, not serializable, fine under snapshot isolation", async () => {
    const h = load("elle-list-append-write-skew.edn");
    const r = (await elleListAppendChecker.check(h, { consistencyModel: "serializable" })) as ElleResult;
    expect(r.valid).toBe(false);
    expect(r.anomalyTypes).toEqual(["G2-item"]);
    expect(r.not).toEqual(["repeatable-read"]);
    const lines = (r.anomalies[0].ops ?? []).map((op) => op.line).sort();
    expect(lines).toEqual([5, 6]);
    const si = (await elleListAppendChecker.check(h, {
      consistencyModel: "snapshot-isolation",
    })) as ElleResult;
    expect(si.valid).toBe(true);
  });

  it("EDN rw-register: G1c", async () => {
    const r = (await elleRwRegisterChecker.check(load("elle-rw-register-g1c.edn"), {
      consistencyModel: "read-committed",
    })) as ElleResult;
    expect(r.anomalyTypes).toEqual(["G1c"]);
    expect(r.not).toEqual(["read-committed"]);
  });

  it("an unknown micro-op in a file names its line", async () => {
    const h = load("elle-list-append-bad-mop.jsonl");
    await expect(async () => elleListAppendChecker.check(h, {})).rejects.toThrow(
      /^line 4: micro-op 2 has unknown function "incr"/,
    );
    try {
      await elleListAppendChecker.check(h, {});
    } catch (e) {
      expect(e).toBeInstanceOf(HistoryParseError);
      expect((e as HistoryParseError).inFile("h.jsonl").message).toMatch(/^h\.jsonl:4: micro-op 2/);
    }
  });
});
