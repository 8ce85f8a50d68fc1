/**
 * Elle list-append checker throughput: generates 10k, 100k and 1M-transaction histories (1-4
 * micro-ops, ~100 appends per key, 10 processes), checks each for strict serializability, and
 * prints transactions/s and peak RSS. Each size runs in its own child process so its peak RSS is
 * its own.
 *
 *   npm run bench:elle                # all sizes
 *   npm run bench:elle -- 100000      # one size
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { ElleResult } from "../checkers/elle/index.ts";
import { elleListAppendChecker } from "../checkers/elle/index.ts";
import { generateHistory } from "./elle-gen.ts";

const SIZES = [10_000, 100_000, 1_000_000];

async function one(txns: number): Promise<void> {
  const genStart = performance.now();
  const history = generateHistory({ txns, seed: 42 });
  const genMs = performance.now() - genStart;
  const start = performance.now();
  const r = (await elleListAppendChecker.check(history, {
    consistencyModel: "strict-serializable",
    timeLimitMs: 600_000,
  })) as ElleResult;
  const ms = performance.now() - start;
  const peakMb = process.resourceUsage().maxRSS / 1024;
  const line = {
    txns,
    ops: history.length,
    valid: r.valid,
    checkSeconds: +(ms / 1000).toFixed(2),
    txnsPerSecond: Math.round(txns / (ms / 1000)),
    peakRssMb: Math.round(peakMb),
    generateSeconds: +(genMs / 1000).toFixed(2),
    edges: r.stats?.edges,
  };
  console.log(JSON.stringify(line));
  if (r.valid !== true) {
    console.error(`expected a valid history, got ${r.valid}: ${r.anomalyTypes.join(", ")} ${r.reason ?? ""}`);
    process.exitCode = 1;
  }
}

const arg = process.argv[2];
if (arg) {
  await one(Number(arg));
} else {
  const self = fileURLToPath(import.meta.url);
  for (const n of SIZES) {
    const r = spawnSync(process.execPath, [...process.execArgv, self, String(n)], { stdio: "inherit" });
    if (r.status !== 0) process.exitCode = 1;
  }
}
