/**
 * Elle list-append checker throughput: generates 10k, 100k and 1M-transaction histories (1-4
 * micro-ops, ~100 appends per key, 10 processes), checks each for strict serializability, and
 * prints transactions/s and peak RSS. Each size runs in its own child process so its peak RSS is
 * its own.
 *
 *   npm run bench:elle                          # all sizes, list-append
 *   npm run bench:elle -- 100000                # one size
 *   npm run bench:elle -- 100000 rw-register    # the rw-register checker
 *   npm run bench:elle -- cli                   # only the end-to-end CLI run on a 100k JSONL file
 *
 * After the in-process sizes it writes a 100k-transaction history.jsonl and checks it end to end
 * with `node bin/faultline.mjs check FILE --checker elle-list-append` (parsing counts), and
 * separately times read + parse + check in process. CPU seconds are printed next to wall time:
 * on a shared 2-core machine wall time mostly measures the neighbours.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { constants, PerformanceObserver } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { parseHistory } from "../checkers/history/parse.ts";
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
  // Major GCs mark the whole history (1.4 GB of objects at 1M transactions): count them and
  // their pauses, the largest cost of a big check.
  const gc = { major: 0, majorMs: 0, minor: 0, minorMs: 0 };
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = (e as unknown as { detail?: { kind?: number } }).detail?.kind;
      if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) {
        gc.major++;
        gc.majorMs += e.duration;
      } else {
        gc.minor++;
        gc.minorMs += e.duration;
      }
    }
  });
  observer.observe({ entryTypes: ["gc"] });
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  const r = (await checker.check(history, {
    consistencyModel: "strict-serializable",
    timeLimitMs: 600_000,
  })) as ElleResult;
  const ms = performance.now() - start;
  const cpu = process.cpuUsage(cpu0);
  // GC entries are delivered asynchronously: let the last ones arrive.
  await new Promise((resolve) => setTimeout(resolve, 50));
  observer.disconnect();
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
    gcMajor: gc.major,
    gcMajorMs: Math.round(gc.majorMs),
    gcMinor: gc.minor,
    gcMinorMs: Math.round(gc.minorMs),
    phasesMs: Object.fromEntries(Object.entries(r.stats ?? {}).filter(([k]) => k.endsWith("Ms"))),
  };
  console.log(JSON.stringify(line));
  if (r.valid !== true) {
    console.error(`expected a valid history, got ${r.valid}: ${r.anomalyTypes.join(", ")} ${r.reason ?? ""}`);
    process.exitCode = 1;
  }
}

/** A 100k-transaction JSONL file, checked by the CLI (a child process) and in process by phase. */
async function cli(txns = 100_000): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "faultline-bench-elle-"));
  try {
    const file = join(dir, "history.jsonl");
    const history = generateHistory({ txns, seed: 42, workload: "list-append" });
    writeFileSync(file, history.map((op) => JSON.stringify(op)).join("\n") + "\n");
    const bin = fileURLToPath(new URL("../bin/faultline.mjs", import.meta.url));
    const started = performance.now();
    const child = spawnSync(process.execPath, [bin, "check", file, "--checker", "elle-list-append"], {
      encoding: "utf8",
    });
    const cliSeconds = (performance.now() - started) / 1000;
    const cpu0 = process.cpuUsage();
    let t = performance.now();
    const text = readFileSync(file, "utf8");
    const parsed = parseHistory(text, { fileName: file });
    const parseSeconds = (performance.now() - t) / 1000;
    t = performance.now();
    const r = await elleListAppendChecker.check(parsed, { consistencyModel: "strict-serializable" });
    const checkSeconds = (performance.now() - t) / 1000;
    const cpu = process.cpuUsage(cpu0);
    console.log(
      JSON.stringify({
        mode: "cli",
        txns,
        fileMb: Math.round(text.length / 2 ** 20),
        cliSeconds: +cliSeconds.toFixed(2),
        cliExit: child.status,
        cliOut: child.stdout.trim().split("\t").slice(1).join(" "),
        inProcessParseSeconds: +parseSeconds.toFixed(2),
        inProcessCheckSeconds: +checkSeconds.toFixed(2),
        inProcessCpuSeconds: +((cpu.user + cpu.system) / 1e6).toFixed(2),
        valid: r.valid,
      }),
    );
    if (child.status !== 0 || r.valid !== true) process.exitCode = 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const arg = process.argv[2];
const workload = (process.argv[3] ?? "list-append") as Workload;
if (workload !== "list-append" && workload !== "rw-register") {
  throw new Error(`unknown workload '${workload}' (list-append or rw-register)`);
}
if (arg === "cli") {
  await cli();
} else if (arg) {
  await one(Number(arg), workload);
} else {
  const self = fileURLToPath(import.meta.url);
  for (const n of SIZES) {
    const r = spawnSync(process.execPath, [...process.execArgv, self, String(n), workload], {
      stdio: "inherit",
    });
    if (r.status !== 0) process.exitCode = 1;
  }
  if (workload === "list-append") {
    const r = spawnSync(process.execPath, [...process.execArgv, self, "cli"], { stdio: "inherit" });
    if (r.status !== 0) process.exitCode = 1;
  }
}
