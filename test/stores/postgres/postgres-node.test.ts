/**
 * Real PostgreSQL processes: a primary and a streaming standby made from one template, and
 * every control the runner and the nemesis use on them.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { allocatePort } from "../../../harness/backends/local/ports.ts";
import { readProcStat } from "../../../harness/backends/local/proc-stat.ts";
import { descendantsOf } from "../../../harness/backends/local/process-tree.ts";
import { Supervisor } from "../../../harness/backends/local/supervisor.ts";
import { PostgresDeployment } from "../../../harness/stores/postgres/postgres-deployment.ts";
import type { RunningPostgresNode } from "../../../harness/stores/postgres/postgres-node.ts";
import {
  type PrimaryWithStandbys,
  startPrimaryWithStandbys,
} from "../../../harness/stores/postgres/primary-with-standbys.ts";
import { processesMatching } from "./process-scan.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `read` until it returns something truthy. */
async function eventually<T>(read: () => Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await read();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`not reached in ${timeoutMs} ms (last error: ${String(last)})`);
    await sleep(100);
  }
}

/** A plain TCP forwarder standing in for the replication link's proxy. */
function forwarder(toPort: number): Promise<{ server: Server; port: number }> {
  return new Promise((resolve) => {
    const server = createServer((client) => {
      const upstream = new Socket();
      upstream.connect(toPort, "127.0.0.1");
      client.pipe(upstream).pipe(client);
      client.on("error", () => upstream.destroy());
      upstream.on("error", () => client.destroy());
    });
    server.listen(0, "127.0.0.1", () => {
      const addr = server.address();
      resolve({ server, port: typeof addr === "object" && addr ? addr.port : 0 });
    });
  });
}

const tag = randomBytes(3).toString("hex");
const PRIMARY = `pg-test-us-${tag}`;
const STANDBY = `pg-test-eu-${tag}`;
const sup = new Supervisor();
let runDir: string;
let cluster: PrimaryWithStandbys;
let primary: RunningPostgresNode;
let standby: RunningPostgresNode;
let replicationLink: { server: Server; port: number };

async function standbyHas(id: number): Promise<boolean> {
  const res = await standby.query("SELECT 1 FROM t WHERE id = $1", [id], 5_000);
  return res.rowCount === 1;
}

async function senderPort(): Promise<number | undefined> {
  const res = await standby.query<{ status: string; sender_port: number }>(
    "SELECT status, sender_port FROM pg_stat_wal_receiver",
  );
  const row = res.rows[0];
  return row?.status === "streaming" ? row.sender_port : undefined;
}

beforeAll(async () => {
  runDir = mkdtempSync(join(tmpdir(), "faultline-pg-test-"));
  cluster = await startPrimaryWithStandbys({
    runDir,
    supervisor: sup,
    primary: { node: { name: PRIMARY, region: "us-east", store: "postgres", role: "primary" } },
    standbys: [{ node: { name: STANDBY, region: "eu-west", store: "postgres", role: "replica" } }],
    upstreamFor: async (_standby, p) => {
      replicationLink = await forwarder(p.port);
      return { host: "127.0.0.1", port: replicationLink.port };
    },
  });
  primary = cluster.primary;
  standby = cluster.standbys[0]!;
  await primary.query("CREATE TABLE t (id int PRIMARY KEY, v text)");
});

let failed = false;
afterEach((ctx) => {
  if (ctx.task.result?.state === "fail") failed = true;
});

afterAll(async () => {
  await sup.stopAll();
  replicationLink?.server.close();
  // Server logs explain a failure: keep them then.
  if (failed) console.error(`postgres-node.test: keeping the server logs in ${runDir}/logs`);
  else rmSync(runDir, { recursive: true, force: true });
});

describe("postgres primary + standby", () => {
  it("starts both with password auth on loopback, logs in the run folder", async () => {
    expect(primary.connection).toMatchObject({ host: "127.0.0.1", user: "postgres", database: "postgres" });
    expect(primary.connection.password).toMatch(/^[0-9a-f]{36}$/);
    expect(primary.port).not.toBe(standby.port);
    expect(existsSync(join(runDir, "logs", `${PRIMARY}.log`))).toBe(true);
    const bad = primary.connectionVia("127.0.0.1", primary.port);
    bad.password = "wrong";
    const pg = await import("pg");
    const client = new pg.default.Client(bad);
    await expect(client.connect()).rejects.toThrow(/password authentication failed/);
    const inRecovery = await standby.query<{ r: boolean }>("SELECT pg_is_in_recovery() AS r");
    expect(inRecovery.rows[0]!.r).toBe(true);
    expect(await senderPort()).toBe(replicationLink.port); // streams through the caller's address
  });

  it("a row written on the primary becomes visible on the standby", async () => {
    await primary.query("INSERT INTO t VALUES (1, 'one')");
    await eventually(() => standbyHas(1));
  });

  it("re-pointing the standby moves its stream to the new address", async () => {
    const second = await forwarder(primary.port);
    try {
      await standby.repointStandby("127.0.0.1", second.port);
      expect(standby.upstream).toEqual({ host: "127.0.0.1", port: second.port });
      await eventually(async () => (await senderPort()) === second.port);
      await primary.query("INSERT INTO t VALUES (2, 'two')");
      await eventually(() => standbyHas(2));
      await standby.repointStandby("127.0.0.1", replicationLink.port);
      await eventually(async () => (await senderPort()) === replicationLink.port);
    } finally {
      second.server.close();
    }
  });

  it("pause stalls a query on every backend; resume lets it finish", async () => {
    const pg = await import("pg");
    const client = new pg.default.Client(standby.connection);
    client.on("error", () => {});
    await client.connect(); // a backend that exists before the pause
    try {
      const tree = [standby.pid!, ...descendantsOf(standby.pid!).map((p) => p.pid)];
      await standby.pause();
      expect(standby.paused).toBe(true);
      expect(tree.every((pid) => ["T", undefined].includes(readProcStat(pid)?.state))).toBe(true);
      let done = false;
      const pending = client.query("SELECT count(*) AS n FROM t").then((r) => {
        done = true;
        return r;
      });
      await sleep(1_500);
      expect(done).toBe(false);
      await standby.resume();
      const res = await pending;
      expect(Number(res.rows[0].n)).toBeGreaterThanOrEqual(2);
    } finally {
      await standby.resume(); // a failed assertion must not leave the node stopped for the next tests
      await client.end();
    }
  });

  it("kill takes the whole server down; restart keeps data dir and port", async () => {
    await primary.query("INSERT INTO t VALUES (3, 'before kill')");
    const port = primary.port;
    const oldPid = primary.pid!;
    const tree = [oldPid, ...descendantsOf(oldPid).map((p) => p.pid)];
    expect(tree.length).toBeGreaterThan(3);
    await primary.kill();
    expect(primary.running).toBe(false);
    expect(tree.filter((pid) => (readProcStat(pid)?.state ?? "Z") !== "Z")).toEqual([]);
    await expect(primary.query("SELECT 1", [], 3_000)).rejects.toThrow();
    await primary.start();
    expect(primary.port).toBe(port);
    expect(primary.pid).not.toBe(oldPid);
    const res = await primary.query("SELECT v FROM t WHERE id = 3");
    expect(res.rows[0]?.v).toBe("before kill");
    await primary.query("INSERT INTO t VALUES (4, 'after restart')");
    await eventually(() => standbyHas(4), 30_000); // the standby reconnects by itself
  });

  it("restart (fast shutdown, start) keeps the node serving", async () => {
    await primary.restart();
    await primary.query("INSERT INTO t VALUES (5, 'after fast restart')");
    await eventually(() => standbyHas(5), 30_000);
  });

  it("promote makes the standby writable", async () => {
    await expect(standby.query("INSERT INTO t VALUES (100, 'x')")).rejects.toThrow(/read-only/);
    await standby.promote();
    expect(standby.role).toBe("primary");
    await standby.query("INSERT INTO t VALUES (100, 'written on the promoted node')");
    const res = await standby.query<{ r: boolean }>("SELECT pg_is_in_recovery() AS r");
    expect(res.rows[0]!.r).toBe(false);
  });

  it("a port taken between allocation and bind: the first start retries on a fresh port", async () => {
    const squatter = createServer();
    await new Promise<void>((r) => squatter.listen(0, "127.0.0.1", r));
    const taken = (squatter.address() as { port: number }).port;
    const handedOut: number[] = [];
    try {
      const other = await PostgresDeployment.prepare({
        runDir,
        supervisor: sup,
        template: cluster.deployment.template, // no second initdb
        allocatePort: async () => {
          const port = handedOut.length === 0 ? taken : await allocatePort();
          handedOut.push(port);
          return port;
        },
      });
      const node = await other.startNode({
        node: { name: `${PRIMARY}-port`, region: "us-east", store: "postgres", role: "primary" },
      });
      expect(handedOut[0]).toBe(taken);
      expect(node.port).toBe(handedOut[1]);
      expect(readFileSync(node.logFile, "utf8")).toMatch(/Address already in use/);
      await node.query("SELECT 1");
    } finally {
      squatter.close();
    }
  });

  it("stop leaves no postgres process of the run and removes the data dirs", async () => {
    const workDir = cluster.deployment.workDir;
    expect(processesMatching(PRIMARY).length).toBeGreaterThan(3); // cluster_name is in every ps title
    expect(processesMatching(STANDBY).length).toBeGreaterThan(3);
    const result = await sup.stopAll();
    expect(result.errors).toEqual([]);
    expect(processesMatching(PRIMARY)).toEqual([]);
    expect(processesMatching(STANDBY)).toEqual([]);
    expect(processesMatching(workDir)).toEqual([]);
    expect(existsSync(workDir)).toBe(false);
  });
});
