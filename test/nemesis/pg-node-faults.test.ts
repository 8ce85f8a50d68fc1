/**
 * Process faults and failover on real PostgreSQL processes: a killed node is restarted, a paused
 * node stalls a query and resumes, a promoted replica accepts writes, and the routing window is
 * observed while it is open.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Supervisor } from "../../harness/backends/local/supervisor.ts";
import type { FaultContext } from "../../harness/nemesis/fault.ts";
import { faultFromSpec } from "../../harness/nemesis/from-spec.ts";
import { Router } from "../../harness/nemesis/router.ts";
import { healAll, type NemesisOp, runSchedule } from "../../harness/nemesis/run-schedule.ts";
import type { RunningPostgresNode } from "../../harness/stores/postgres/postgres-node.ts";
import {
  type PrimaryWithStandbys,
  startPrimaryWithStandbys,
} from "../../harness/stores/postgres/primary-with-standbys.ts";
import { primaryReplicaTopology } from "./fixtures.ts";

const topology = primaryReplicaTopology(["us-east", "eu-west"]);
const PRIMARY = "pg-us-east-1";
const REPLICA = "pg-eu-west-1";
const sup = new Supervisor();
let runDir: string;
let cluster: PrimaryWithStandbys;
let primary: RunningPostgresNode;
let replica: RunningPostgresNode;
let ctx: FaultContext;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function eventually(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (e) {
      last = e;
    }
    await sleep(100);
  }
  throw new Error(`condition not met within ${timeoutMs} ms (last error: ${String(last)})`);
}

beforeAll(async () => {
  runDir = mkdtempSync(join(tmpdir(), "faultline-node-faults-"));
  cluster = await startPrimaryWithStandbys({
    runDir,
    supervisor: sup,
    primary: { node: topology.nodes[0]! },
    standbys: [{ node: topology.nodes[1]! }],
    upstreamFor: (_s, p) => ({ host: "127.0.0.1", port: p.port }),
  });
  primary = cluster.primary;
  replica = cluster.standbys[0]!;
  await primary.query("CREATE TABLE t (id int PRIMARY KEY)");
  ctx = {
    proxyUrl: "",
    topology,
    links: [],
    nodes: new Map(cluster.nodes),
    router: Router.forTopology(topology, 11),
  };
}, 120_000);

afterAll(async () => {
  if (ctx) await healAll(ctx);
  await cluster?.stop().catch(() => {});
  await sup.stopAll();
  rmSync(runDir, { recursive: true, force: true });
});

describe("process faults on PostgreSQL", () => {
  it("kill: the node is gone (SIGKILL), stop restarts it and it streams again", async () => {
    const fault = faultFromSpec({ kind: "kill", node: REPLICA });
    expect(await fault.start(ctx)).toBe(`killed ${REPLICA} (SIGKILL)`);
    await expect(replica.query("SELECT 1", [], 2000)).rejects.toThrow();
    expect(await fault.stop(ctx)).toBe(`restarted ${REPLICA}`);
    expect((await replica.query<{ one: number }>("SELECT 1 AS one")).rows[0]!.one).toBe(1);
    await primary.query("INSERT INTO t VALUES (1)");
    await eventually(async () => (await replica.query("SELECT 1 FROM t WHERE id = 1")).rowCount === 1);
  }, 60_000);

  it("pause: a query stalls while paused and completes after resume", async () => {
    const fault = faultFromSpec({ kind: "pause", node: PRIMARY });
    expect(await fault.start(ctx)).toBe(`paused ${PRIMARY} (SIGSTOP)`);
    let finishedAt: number | undefined;
    const q = primary.query("SELECT 1", [], 30_000).then(() => {
      finishedAt = performance.now();
    });
    await sleep(1000);
    expect(finishedAt).toBeUndefined();
    const resumedAt = performance.now();
    expect(await fault.stop(ctx)).toBe(`resumed ${PRIMARY} (SIGCONT)`);
    await q;
    expect(finishedAt).toBeGreaterThanOrEqual(resumedAt);
  }, 60_000);

  it("failover through runSchedule: the replica is promoted and takes writes; routing is split, then converges", async () => {
    const router = ctx.router!;
    const ops: NemesisOp[] = [];
    const procs = Array.from({ length: 40 }, (_, p) => p);
    let duringWindow: string[] = [];
    const run = runSchedule(
      [
        {
          atMs: 0,
          durationMs: 3000,
          spec: { kind: "failover", from: PRIMARY, to: REPLICA, windowMs: 2500, splitFraction: 0.5 },
        },
      ],
      ctx,
      (op) => ops.push(op),
    );
    await eventually(async () => ops.length === 1, 60_000);
    duringWindow = procs.map((p) => router.writeTarget(p, "us-east"));
    expect(ops[0]).toMatchObject({ f: "failover", phase: "start" });
    expect(ops[0]!.error).toBeUndefined();
    expect(ops[0]!.value).toMatch(
      /promoted pg-eu-west-1; writes move to pg-eu-west-1, 50% of processes still write to pg-us-east-1/,
    );
    const stale = duringWindow.filter((n) => n === PRIMARY).length;
    expect(stale).toBeGreaterThan(5);
    expect(stale).toBeLessThan(35);
    expect((await replica.query<{ r: boolean }>("SELECT pg_is_in_recovery() AS r")).rows[0]!.r).toBe(false);
    await replica.query("INSERT INTO t VALUES (100)");
    // The old primary still takes writes too: the split brain the window exposes.
    await primary.query("INSERT INTO t VALUES (101)");
    await run;
    expect(ops.map((o) => o.phase)).toEqual(["start", "stop"]);
    expect(ops[1]!.value).toBe(`routing converged on ${REPLICA}`);
    expect(procs.every((p) => router.writeTarget(p, "us-east") === REPLICA)).toBe(true);
  }, 90_000);
});
