/**
 * Synchronous replication (synchronous_commit = remote_apply): a commit on the primary waits
 * for the standby; with the standby paused it stalls, and it completes once the standby resumes.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { Supervisor } from "../../../harness/backends/local/supervisor.ts";
import {
  type PrimaryWithStandbys,
  startPrimaryWithStandbys,
} from "../../../harness/stores/postgres/primary-with-standbys.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const tag = randomBytes(3).toString("hex");
const sup = new Supervisor();
let runDir: string;
let cluster: PrimaryWithStandbys;

beforeAll(async () => {
  runDir = mkdtempSync(join(tmpdir(), "faultline-pg-sync-test-"));
  cluster = await startPrimaryWithStandbys({
    runDir,
    supervisor: sup,
    primary: { node: { name: `pg-sync-us-${tag}`, region: "us-east", store: "postgres", role: "primary" } },
    standbys: [
      { node: { name: `pg-sync-eu-${tag}`, region: "eu-west", store: "postgres", role: "replica" } },
    ],
    upstreamFor: (_s, p) => ({ host: p.host, port: p.port }),
    synchronous: { quorum: 1 },
  });
  await cluster.primary.query("CREATE TABLE t (id int PRIMARY KEY)");
});

afterAll(async () => {
  await sup.stopAll();
  rmSync(runDir, { recursive: true, force: true });
});

it("a commit waits for the standby to apply it", async () => {
  const { primary, standbys } = cluster;
  const standby = standbys[0]!;
  const settings = await primary.query<{ name: string; setting: string }>(
    "SELECT name, setting FROM pg_settings WHERE name IN ('synchronous_commit', 'synchronous_standby_names')",
  );
  expect(Object.fromEntries(settings.rows.map((r) => [r.name, r.setting]))).toEqual({
    synchronous_commit: "remote_apply",
    synchronous_standby_names: `ANY 1 ("${standby.name}")`,
  });
  // remote_apply: visible on the standby the moment the commit returns, no polling needed.
  await primary.query("INSERT INTO t VALUES (1)");
  expect((await standby.query("SELECT 1 FROM t WHERE id = 1")).rowCount).toBe(1);

  await standby.pause();
  try {
    let committed = false;
    const pending = primary.query("INSERT INTO t VALUES (2)", [], 60_000).then(() => {
      committed = true;
    });
    await sleep(1_500);
    expect(committed).toBe(false);
    await standby.resume();
    await pending;
  } finally {
    await standby.resume();
  }
  expect((await standby.query("SELECT 1 FROM t WHERE id = 2")).rowCount).toBe(1);
});

it("turning synchronous replication off at runtime lets commits through without the standby", async () => {
  const { primary, standbys } = cluster;
  await primary.setSynchronousStandbys([]);
  await standbys[0]!.pause();
  try {
    await primary.query("INSERT INTO t VALUES (3)", [], 10_000);
  } finally {
    await standbys[0]!.resume();
  }
});
