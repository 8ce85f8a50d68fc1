/**
 * pg-multi-writer end to end on real PostgreSQL 18 (a negative control): both regions increment a
 * shared counter row on their own node, bidirectional logical replication applies each remote row
 * version on arrival, and from 40 % of the run replication is cut until healing (write-apart). The run must find increments lost in the converged reads and nodes that
 * disagree for good, with each diverged key's value per node in the report; and PostgreSQL's own
 * conflict counters must rise during the run and equal `signals.conflicts.total` (cross-checked
 * against the `conflict detected` lines in the server logs).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DEFAULTS, validateConfig } from "../../harness/config.ts";
import { runTest } from "../../harness/run/runner.ts";
import { pgMultiWriter } from "../../harness/scenarios/pg-multi-writer.ts";
import type { RunningPostgresNode } from "../../harness/stores/postgres/postgres-node.ts";
import { renderReport } from "../../reports/html.ts";
import { sleep } from "../../harness/sleep.ts";

const store = mkdtempSync(join(tmpdir(), "faultline-multi-writer-"));
afterAll(() => rmSync(store, { recursive: true, force: true }));

/** The sum of every confl_* counter on a node, read live. */
async function counters(n: RunningPostgresNode): Promise<number> {
  const r = await n.query<Record<string, string>>("SELECT * FROM pg_stat_subscription_stats", [], 5_000);
  let sum = 0;
  for (const row of r.rows)
    for (const [k, v] of Object.entries(row)) if (k.startsWith("confl_")) sum += Number(v);
  return sum;
}

describe("pg-multi-writer, end to end", () => {
  it("loses increments, diverges, and counts conflicts as PostgreSQL does", async () => {
    const config = validateConfig({
      ...DEFAULTS,
      ...pgMultiWriter.defaults,
      name: "it-multi-writer",
      scenario: "pg-multi-writer",
      seed: 1,
      store,
      timeLimitS: 20,
    });
    const nodes: RunningPostgresNode[] = [];
    const samples: number[] = [];
    let sampling: Promise<void> | undefined;
    let done = false;
    const outcome = await runTest(
      config,
      { phase: () => {}, log: () => {} },
      {
        onStarted: (_w, running) => {
          for (const n of running.nodes.values()) nodes.push(n as RunningPostgresNode);
          // PostgreSQL's counters, sampled while both regions write the same rows.
          sampling = (async () => {
            while (!done) {
              await sleep(3_000);
              if (done) break;
              try {
                samples.push((await Promise.all(nodes.map(counters))).reduce((a, b) => a + b, 0));
              } catch {
                // a node briefly unreachable under the nemesis: skip the sample
              }
            }
          })();
        },
      },
    );
    done = true;
    await sampling;
    const results = outcome.results!;

    // Negative control: increments lost in the converged reads, and the copies disagree for good.
    expect(results.valid).toBe(false);
    expect(results.anomalyTypes).toEqual(expect.arrayContaining(["counter-out-of-range", "divergence"]));
    const finals = results.checkers.counter!.anomalies;
    expect(finals.length).toBeGreaterThan(0);
    const div = results.checkers.divergence!;
    expect(div.valid).toBe(false);
    for (const a of div.anomalies) {
      const states = a.states as Record<string, number>;
      expect(Object.keys(states).sort()).toEqual(["pg-eu-west-1", "pg-us-east-1"]);
      expect(states["pg-eu-west-1"]).not.toBe(states["pg-us-east-1"]);
    }

    // The conflict counters rose during the run, and the run's signal is what PostgreSQL counted:
    // one `conflict detected` log line per counted conflict, on the node that applied it.
    expect(samples.length).toBeGreaterThanOrEqual(3);
    expect(samples[samples.length - 1]!).toBeGreaterThan(samples[0]!);
    const conflicts = results.signals.conflicts as {
      total: number;
      byType: Record<string, number>;
      byRegionPair: Record<string, number>;
    };
    expect(conflicts.total).toBeGreaterThanOrEqual(samples[samples.length - 1]!);
    expect(conflicts.byType.update_origin_differs).toBeGreaterThan(0);
    expect(Object.keys(conflicts.byRegionPair).sort()).toEqual(["eu-west->us-east", "us-east->eu-west"]);
    const logged = ["pg-us-east-1", "pg-eu-west-1"].map(
      (n) =>
        (
          readFileSync(join(outcome.folder.dir, "logs", `${n}.log`), "utf8").match(
            /LOG:  conflict detected on relation/g,
          ) ?? []
        ).length,
    );
    expect(conflicts.total).toBe(logged[0]! + logged[1]!);
    expect(conflicts.byRegionPair["eu-west->us-east"]).toBe(logged[0]);

    // The report shows each diverged key with every node's value, and the conflict counts.
    const html = renderReport({
      results,
      history: readFileSync(outcome.folder.history, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l)),
      metrics: [],
      test: JSON.parse(readFileSync(outcome.folder.testJson, "utf8")),
    } as unknown as Parameters<typeof renderReport>[0]);
    const key = div.anomalies[0]!.key as string;
    const states = div.anomalies[0]!.states as Record<string, number>;
    expect(html).toContain(
      `Key ${key} differs between nodes after healing: pg-us-east-1 = ${states["pg-us-east-1"]}, pg-eu-west-1 = ${states["pg-eu-west-1"]}.`,
    );
    expect(html).toContain(`The store counted ${conflicts.total} conflict(s).`);
    console.info(
      `pg-multi-writer: ${conflicts.total} conflicts (${JSON.stringify(conflicts.byRegionPair)}), live samples ${samples.join(", ")}, ` +
        `${finals.length} converged reads below the acknowledged increments, ${div.anomalies.length} diverged key(s)`,
    );
    for (const n of nodes) expect(n.pid).toBeUndefined();
  }, 240_000);
});
