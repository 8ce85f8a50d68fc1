/**
 * One PostgreSQL node in a container, as the nemesis handles it: its clock skewed by libfaketime
 * inside the container (the timestamp file rewritten on this machine reaches the server), killed
 * and started again on the same data and published port, paused and resumed; nothing left after.
 * Without Docker (or libfaketime here, which makes the clock env): skipped loudly locally, a
 * failure under CI=true.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { dockerUnavailableReason } from "../../harness/backends/docker/docker-available.ts";
import { DockerBackend } from "../../harness/backends/docker/docker-backend.ts";
import { ensurePostgresImage } from "../../harness/backends/docker/images.ts";
import { resolveRunAs } from "../../harness/backends/local/run-as.ts";
import { supervisor } from "../../harness/backends/local/supervisor.ts";
import { createTempDir } from "../../harness/backends/local/temp-dir.ts";
import { FakeClock, findLibfaketime } from "../../harness/clock/faketime.ts";
import { resolvePostgresBinaries } from "../../harness/stores/postgres/binaries.ts";
import { ContainerPostgresNode } from "../../harness/stores/postgres/container-postgres-node.ts";
import { createPgTemplate } from "../../harness/stores/postgres/template.ts";
import { requirement } from "../support/requirements.ts";

const reason = await dockerUnavailableReason();
const ready =
  requirement("Docker", reason === undefined, reason ?? "") &&
  requirement("libfaketime", !!findLibfaketime(), "apt-get install libfaketime");

describe.skipIf(!ready)("PostgreSQL in a container under node faults", () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it("skews its clock, survives kill and restart on the same port and data, pauses", async () => {
    const image = await ensurePostgresImage(() => {});
    const runAs = resolveRunAs();
    const workDir = createTempDir("pg-docker-test", runAs);
    cleanups.push(() => supervisor.releaseDir(workDir));
    const logsDir = mkdtempSync(join(tmpdir(), "faultline-docker-logs-"));
    cleanups.push(() => rmSync(logsDir, { recursive: true, force: true }));
    const template = await createPgTemplate({
      workDir,
      binaries: await resolvePostgresBinaries(runAs),
      runAs,
      logFile: join(logsDir, "initdb.log"),
    });
    const backend = await DockerBackend.create({
      runId: `test-pg-node-${process.pid}-${Date.now()}`,
      net: "proxy",
      nodes: [],
      log: () => {},
    });
    cleanups.push(() => backend.dispose());
    const clockDir = mkdtempSync(join(tmpdir(), "faultline-docker-clock-"));
    cleanups.push(() => rmSync(clockDir, { recursive: true, force: true }));
    const clock = await new FakeClock({ dir: clockDir, node: "pg-x" }).init();

    const node = await ContainerPostgresNode.create(
      { backend, image, template, workDir, logsDir, readyTimeoutMs: 60_000 },
      { node: { name: "pg-x", region: "us-east", role: "primary", store: "postgres" }, env: clock.env() },
    );
    const skewMs = async () => {
      const before = Date.now();
      const r = await node.query<{ t: string }>("SELECT extract(epoch FROM clock_timestamp())::text AS t");
      return Number(r.rows[0]!.t) * 1000 - (before + Date.now()) / 2;
    };
    expect(Math.abs(await skewMs())).toBeLessThan(2_000);
    await clock.set(3_600_000);
    expect(await skewMs()).toBeGreaterThan(3_590_000);
    await clock.set(-120_000);
    expect(await skewMs()).toBeLessThan(-110_000);
    await clock.reset();
    expect(Math.abs(await skewMs())).toBeLessThan(2_000);

    // kill and start: same published port, the data survives.
    await node.query("CREATE TABLE kept (v int); INSERT INTO kept VALUES (42)");
    await node.query("CHECKPOINT");
    const port = node.port;
    await node.kill();
    await expect(node.query("SELECT 1", [], 2_000)).rejects.toThrow();
    await node.start();
    expect(node.port).toBe(port);
    expect((await node.query<{ v: number }>("SELECT v FROM kept")).rows[0]!.v).toBe(42);

    // pause freezes it; resume thaws it.
    await node.pause();
    await expect(node.query("SELECT 1", [], 1_500)).rejects.toThrow();
    await node.resume();
    expect((await node.query<{ one: number }>("SELECT 1 AS one")).rows[0]!.one).toBe(1);
  }, 180_000);
});
