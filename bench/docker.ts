/**
 * What the docker backend costs: the images (built, or found by their content hash), one
 * PostgreSQL container from create to answering queries, and a whole pg-async-replica run on
 * `--backend docker` against the same run (seed, length) on the local backend, alternating so
 * background load hits both alike. Needs a Docker daemon. Medians are reported with the load
 * average, since this machine is shared.
 * Usage: npm run bench:docker [-- --runs 2 --time-limit 10]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { dockerUnavailableReason } from "../harness/backends/docker/docker-available.ts";
import { DockerBackend } from "../harness/backends/docker/docker-backend.ts";
import { ensurePostgresImage, ensureProxyImage } from "../harness/backends/docker/images.ts";
import { resolveRunAs } from "../harness/backends/local/run-as.ts";
import { supervisor } from "../harness/backends/local/supervisor.ts";
import { createTempDir } from "../harness/backends/local/temp-dir.ts";
import { DEFAULTS, validateConfig } from "../harness/config.ts";
import { runTest } from "../harness/run/runner.ts";
import { resolvePostgresBinaries } from "../harness/stores/postgres/binaries.ts";
import { ContainerPostgresNode } from "../harness/stores/postgres/container-postgres-node.ts";
import { createPgTemplate } from "../harness/stores/postgres/template.ts";

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const runs = arg("--runs", 2);
const timeLimitS = arg("--time-limit", 10);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

const reason = await dockerUnavailableReason();
if (reason) {
  console.error(`bench:docker needs Docker: ${reason}`);
  process.exit(1);
}
console.log(`load average ${loadavg()[0]!.toFixed(2)}; ${runs} run(s) each, ${timeLimitS} s workload`);

let t = performance.now();
const image = await ensurePostgresImage((m) => console.log(`  ${m}`));
await ensureProxyImage((m) => console.log(`  ${m}`));
console.log(`images (built or reused): ${s(performance.now() - t)}`);

// One container: create + start + PostgreSQL answering (the run's template made beforehand).
const runAs = resolveRunAs();
const workDir = createTempDir("bench-docker", runAs);
const logsDir = mkdtempSync(join(tmpdir(), "faultline-bench-docker-"));
const template = await createPgTemplate({
  workDir,
  binaries: await resolvePostgresBinaries(runAs),
  runAs,
  logFile: join(logsDir, "initdb.log"),
});
const starts: number[] = [];
for (let i = 0; i < Math.max(3, runs); i++) {
  const backend = await DockerBackend.create({
    runId: `bench-${process.pid}-${i}`,
    net: "proxy",
    nodes: [],
    log: () => {},
  });
  try {
    t = performance.now();
    await ContainerPostgresNode.create(
      { backend, image, template, workDir, logsDir, readyTimeoutMs: 60_000 },
      { node: { name: `pg-bench-${i}`, region: "us-east", role: "primary", store: "postgres" } },
    );
    starts.push(performance.now() - t);
  } finally {
    await backend.dispose();
  }
}
supervisor.releaseDir(workDir);
console.log(
  `container start to ready (PostgreSQL answering): median ${s(median(starts))} (${starts.map(s).join(", ")})`,
);

// Whole runs, alternating backends.
const store = mkdtempSync(join(tmpdir(), "faultline-bench-runs-"));
const walls: Record<string, number[]> = { docker: [], local: [] };
for (let i = 0; i < runs; i++) {
  for (const backend of ["docker", "local"]) {
    const config = validateConfig({
      ...DEFAULTS,
      name: `bench-${backend}`,
      scenario: "pg-async-replica",
      backend,
      seed: 7,
      store,
      timeLimitS,
    });
    t = performance.now();
    const outcome = await runTest(config, { phase: () => {}, log: () => {} });
    walls[backend]!.push(performance.now() - t);
    console.log(
      `  ${backend}: ${s(performance.now() - t)}, verdict ${outcome.results?.anomalyTypes.join(", ") || "valid"}`,
    );
  }
}
rmSync(store, { recursive: true, force: true });
rmSync(logsDir, { recursive: true, force: true });
const overhead = median(walls.docker!) - median(walls.local!);
console.log(
  `pg-async-replica, ${timeLimitS} s workload: docker ${s(median(walls.docker!))}, local ${s(median(walls.local!))} ` +
    `(docker adds ${s(overhead)}: containers, per-run template, teardown)`,
);
