/**
 * pg-failover end to end on real PostgreSQL (a negative control): the primary's region is cut off,
 * the eu-west standby is promoted while half the processes keep writing to the old primary for a
 * while, and the run must find acknowledged adds that are gone (`lost-write`) and two copies that
 * differ after healing (`divergence`), and leave nothing running.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { FinalStates } from "../../checkers/divergence.ts";
import { NEMESIS } from "../../checkers/history/op.ts";
import { pairOps } from "../../checkers/history/pairs.ts";
import { parseHistory } from "../../checkers/history/parse.ts";
import { DEFAULTS, validateConfig } from "../../harness/config.ts";
import { FINAL_STATE_FILE, runTest } from "../../harness/run/runner.ts";
import { pgFailover } from "../../harness/scenarios/pg-failover.ts";
import type { RunningPostgresNode } from "../../harness/stores/postgres/postgres-node.ts";

const store = mkdtempSync(join(tmpdir(), "faultline-failover-"));
afterAll(() => rmSync(store, { recursive: true, force: true }));

describe("pg-failover, end to end", () => {
  it("finds lost acknowledged writes and divergence after a split-brain failover", async () => {
    const config = validateConfig({
      ...DEFAULTS,
      ...pgFailover.defaults,
      name: "it-failover",
      scenario: "pg-failover",
      seed: 7,
      store,
      timeLimitS: 10,
      faultDurationS: 5,
    });
    const nodes: RunningPostgresNode[] = [];
    const outcome = await runTest(
      config,
      { phase: () => {}, log: () => {} },
      {
        onStarted: (_w, running) => {
          for (const n of running.nodes.values()) nodes.push(n as RunningPostgresNode);
        },
      },
    );
    const history = parseHistory(readFileSync(outcome.folder.history, "utf8"), { fileName: "history.jsonl" });
    expect(() => pairOps(history)).not.toThrow();

    // The incident happened: the region was cut, then the replica promoted, in that order.
    const starts = history.filter((o) => o.process === NEMESIS && o.phase === "start");
    expect(starts.map((o) => o.f)).toEqual(["partition", "failover"]);
    expect(starts.every((o) => o.error === undefined)).toBe(true);

    // Final reads from both regions, after the faults, served by the new primary.
    const finals = history.filter((o) => o.final === true && o.type === "ok");
    expect(new Set(finals.map((o) => o.region))).toEqual(new Set(["us-east", "eu-west"]));
    expect(finals.every((o) => o.node === "pg-eu-west-1")).toBe(true);

    // Negative control: acknowledged adds were lost, and the two copies diverged.
    const results = outcome.results!;
    expect(results.valid).toBe(false);
    expect(results.anomalyTypes).toEqual(expect.arrayContaining(["lost-write", "divergence"]));
    const set = results.checkers.set;
    const lostAcked = set.stats!.lostAcknowledged as number;
    expect(lostAcked).toBeGreaterThan(0);

    // Every lost acknowledged add was acknowledged by the old primary and is still there, and
    // only there: the final states show where the writes went.
    const states = JSON.parse(
      readFileSync(join(outcome.folder.dir, FINAL_STATE_FILE), "utf8"),
    ) as FinalStates;
    const stateOf = (node: string) => states.nodes.find((n) => n.node === node)!.state!;
    const oldPrimary = stateOf("pg-us-east-1");
    const newPrimary = stateOf("pg-eu-west-1");
    const lost = (set.lost as { key: number; element: number; acknowledged: boolean }[]).filter(
      (l) => l.acknowledged,
    );
    for (const { key, element } of lost) {
      expect(oldPrimary[String(key)] as number[]).toContain(element);
      expect((newPrimary[String(key)] as number[] | undefined) ?? []).not.toContain(element);
      const add = history.find((o) => o.f === "add" && o.type === "ok" && o.value === element)!;
      expect(add.node).toBe("pg-us-east-1");
    }
    // Split brain: each side holds acknowledged adds the other lacks.
    const div = results.checkers.divergence;
    expect(div.valid).toBe(false);
    const anyOnlyOn = (a: Record<string, unknown>, b: Record<string, unknown>) =>
      Object.keys(a).some((k) =>
        ((a[k] as number[]) ?? []).some((e) => !((b[k] as number[]) ?? []).includes(e)),
      );
    expect(anyOnlyOn(oldPrimary, newPrimary)).toBe(true);
    expect(anyOnlyOn(newPrimary, oldPrimary)).toBe(true);

    const ops = history.filter((o) => o.process !== NEMESIS && o.type !== "invoke").length;
    console.info(
      `pg-failover: ${ops} client ops, ${set.stats!.addsAcknowledged} acknowledged adds, ${lostAcked} lost, ` +
        `${div.anomalies.length} diverged key(s), wall ${(outcome.wallMs / 1000).toFixed(1)} s`,
    );

    // Clean shutdown.
    expect(nodes.length).toBe(2);
    for (const n of nodes) {
      expect(n.pid).toBeUndefined();
      expect(existsSync(n.dataDir)).toBe(false);
    }
  }, 120_000);
});
