/**
 * Elle list-append checker throughput: generates 10k, 100k and 1M-transaction histories (1-4
 * micro-ops, ~100 appends per key, 10 processes), checks each for strict serializability, and
 * prints transactions/s and peak RSS. Each size runs in its own child process so its peak RSS is
 * its own.
 *
 *   npm run bench:elle                          # all sizes, list-append
 *   npm run bench:elle -- 100000                # one size
 *   npm run bench:elle -- 100000 rw-register    # the rw-register checker
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { ElleResult } from "../checkers/elle/index.ts";
import { elleListAppendChecker, elleRwRegisterChecker } from "../checkers/elle/index.ts";
import { generateHistory } from "./elle-gen.ts";

const SIZES = [10_000, 100_000, 1_000_000];

type Workload = "list-append" | "rw-register";

async function one(txns: number, workload: Workload): Promise<void> {
  const genStart = performance.now();
  const history = generateHistory({ txns, seed: 42, workload });
  const checker = workload === "rw-register" ? elleRwRegisterChecker : elleListAppendChecker;
  const genMs = performance.now() - genStart;
  const rssBeforeMb = process.memoryUsage().rss / 2 ** 20;
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  const r = (await checker.check(history, {
    consistencyModel: "strict-serializable",
    timeLimitMs: 600_000,
  })) as ElleResult;
  const ms = performance.now() - start;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const peakMb = process.resourceUsage().maxRSS / 1024;
  const line = {
    workload,
    txns,
    ops: history.length,
    valid: r.valid,
    checkSeconds: +(ms / 1000).toFixed(2),
    txnsPerSecond: Math.round(txns / (ms / 1000)),
    // CPU time is the steadier figure on a shared machine (wall time includes waiting for a core).
    cpuSeconds: +cpuSeconds.toFixed(2),
    txnsPerCpuSecond: Math.round(txns / cpuSeconds),
    peakRssMb: Math.round(peakMb),
    historyRssMb: Math.round(rssBeforeMb),
    generateSeconds: +(genMs / 1000).toFixed(2),
    edges: r.stats?.edges,
    phasesMs: Object.fromEntries(Object.entries(r.stats ?? {}).filter(([k]) => k.endsWith("Ms"))),
  };
  console.log(JSON.stringify(line));
  if (r.valid !== true) {
    console.error(`expected a valid history, got ${r.valid}: ${r.anomalyTypes.join(", ")} ${r.reason ?? ""}`);
    process.exitCode = 1;
  }
}

const arg = process.argv[2];
const workload = (process.argv[3] ?? "list-append") as Workload;
if (workload !== "list-append" && workload !== "rw-register") {
  throw new Error(`unknown workload '${workload}' (list-append or rw-register)`);
}
if (arg) {
  await one(Number(arg), workload);
} else {
  const self = fileURLToPath(import.meta.url);
  for (const n of SIZES) {
    const r = spawnSync(process.execPath, [...process.execArgv, self, String(n), workload], {
      stdio: "inherit",
    });
    if (r.status !== 0) process.exitCode = 1;
  }
}
