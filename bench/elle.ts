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
 *   npm run bench:elle -- objects 1000000       # the same size held as Op objects (the old path)
 *
 * Each size is written to a JSONL file (streamed: a million transactions as Op objects would be
 * 1.4 GB by themselves), then read into columns a chunk at a time and checked; the time and peak RSS are of that
 * read + parse + check. After the sizes it writes a 100k-transaction history.jsonl and checks it
 * end to end with `node bin/faultline.mjs check FILE --checker elle-list-append` (parsing
 * counts; `npm run build` first so bin uses dist/), and in process both ways. CPU seconds are
 * printed next to wall time: on a shared 2-core machine wall time mostly measures the neighbours.
 */
import { spawnSync } from "node:child_process";
import {
  closeSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { constants, PerformanceObserver } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { parseHistory } from "../checkers/history/parse.ts";
import { runElle } from "../checkers/elle/check.ts";
import type { ElleResult } from "../checkers/elle/index.ts";
import { elleListAppendChecker, elleRwRegisterChecker } from "../checkers/elle/index.ts";
import { inferListAppend } from "../checkers/elle/list-append.ts";
import { inferRwRegister } from "../checkers/elle/rw-register.ts";
import type { TxnTable } from "../checkers/elle/txns.ts";
import { readTxnColumnsChunked } from "../checkers/history/read-txn-columns.ts";
import { generateHistory, generateOps } from "./elle-gen.ts";

const SIZES = [10_000, 100_000, 1_000_000];

type Workload = "list-append" | "rw-register";

/** Writes a generated history as JSONL, op by op (never the whole history in memory). */
function writeHistory(file: string, o: Parameters<typeof generateOps>[0]): number {
  const fd = openSync(file, "w");
  let buf: string[] = [];
  let size = 0;
  let ops = 0;
  generateOps(o, (op) => {
    const line = JSON.stringify(op);
    buf.push(line);
    size += line.length;
    ops++;
    if (size > 1 << 22) {
      writeSync(fd, buf.join("\n") + "\n");
      buf = [];
      size = 0;
    }
  });
  if (buf.length) writeSync(fd, buf.join("\n") + "\n");
  closeSync(fd);
  return ops;
}

/** Counts major and minor GCs and their pauses while `observe` runs. */
function gcCounter() {
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
  return {
    async stop() {
      // GC entries are delivered asynchronously: let the last ones arrive.
      await new Promise((resolve) => setTimeout(resolve, 50));
      observer.disconnect();
      return {
        gcMajor: gc.major,
        gcMajorMs: Math.round(gc.majorMs),
        gcMinor: gc.minor,
        gcMinorMs: Math.round(gc.minorMs),
      };
    },
  };
}

/** CPU seconds of this process's waited-for children (Linux /proc; clock ticks of 10 ms). */
function childCpuSeconds(): number {
  try {
    const stat = readFileSync("/proc/self/stat", "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // cutime and cstime are fields 16 and 17 of stat(5); fields[0] here is field 3.
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return Number.NaN;
  }
}

const cpuSecondsSince = (cpu0: NodeJS.CpuUsage) => {
  const cpu = process.cpuUsage(cpu0);
  return +((cpu.user + cpu.system) / 1e6).toFixed(2);
};

/**
 * One size, as the checker meets a history on disk: the JSONL file is read into columns
 * (read-txn-columns.ts) and checked from them. Peak RSS is this process's: generation streams to
 * the file, so the peak is the read and the check.
 */
async function one(txns: number, workload: Workload): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "faultline-bench-elle-"));
  try {
    const file = join(dir, "history.jsonl");
    const genStart = performance.now();
    const ops = writeHistory(file, { txns, seed: 42, workload });
    const genMs = performance.now() - genStart;
    const infer = workload === "rw-register" ? (t: TxnTable) => inferRwRegister(t, {}) : inferListAppend;
    const rssBeforeMb = process.memoryUsage().rss / 2 ** 20;
    const gc = gcCounter();
    const cpu0 = process.cpuUsage();
    const start = performance.now();
    // Read a chunk at a time: the 400 MB text of 1M transactions is never whole in memory.
    const fd = openSync(file, "r");
    const columns = readTxnColumnsChunked(
      {
        read: (into, position) => readSync(fd, into, 0, into.length, position),
        range: (from, to) => {
          const b = Buffer.alloc(to - from);
          readSync(fd, b, 0, b.length, from);
          return b;
        },
      },
      { fileName: file },
    );
    if (!columns) throw new Error("the columnar reader declined the generated history");
    const parseMs = performance.now() - start;
    const parseCpu = cpuSecondsSince(cpu0);
    const r = runElle(columns, { consistencyModel: "strict-serializable", timeLimitMs: 600_000 }, infer);
    const ms = performance.now() - start;
    const cpuSeconds = cpuSecondsSince(cpu0);
    closeSync(fd);
    const gcStats = await gc.stop();
    const peakMb = process.resourceUsage().maxRSS / 1024;
    const line = {
      workload,
      source: "jsonl file -> columns",
      txns,
      ops,
      fileMb: Math.round(statSync(file).size / 2 ** 20),
      valid: r.valid,
      // Read + parse into columns + check (the whole job from the file).
      totalSeconds: +(ms / 1000).toFixed(2),
      parseSeconds: +(parseMs / 1000).toFixed(2),
      checkSeconds: +((ms - parseMs) / 1000).toFixed(2),
      txnsPerSecond: Math.round(txns / (ms / 1000)),
      // CPU time is the steadier figure on a shared machine (wall time includes waiting for a core).
      cpuSeconds,
      parseCpuSeconds: parseCpu,
      checkCpuSeconds: +(cpuSeconds - parseCpu).toFixed(2),
      txnsPerCpuSecond: Math.round(txns / cpuSeconds),
      peakRssMb: Math.round(peakMb),
      rssBeforeMb: Math.round(rssBeforeMb),
      generateSeconds: +(genMs / 1000).toFixed(2),
      edges: r.stats?.edges,
      ...gcStats,
      phasesMs: Object.fromEntries(Object.entries(r.stats ?? {}).filter(([k]) => k.endsWith("Ms"))),
    };
    console.log(JSON.stringify(line));
    if (r.valid !== true) {
      console.error(
        `expected a valid history, got ${r.valid}: ${r.anomalyTypes.join(", ")} ${r.reason ?? ""}`,
      );
      process.exitCode = 1;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The same size held as Op objects and checked by `check` (the path before columns; ~1.4 GB at 1M). */
async function objects(txns: number, workload: Workload): Promise<void> {
  const history = generateHistory({ txns, seed: 42, workload });
  const checker = workload === "rw-register" ? elleRwRegisterChecker : elleListAppendChecker;
  const rssBeforeMb = process.memoryUsage().rss / 2 ** 20;
  const gc = gcCounter();
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  const r = (await checker.check(history, {
    consistencyModel: "strict-serializable",
    timeLimitMs: 600_000,
  })) as ElleResult;
  const ms = performance.now() - start;
  const cpuSeconds = cpuSecondsSince(cpu0);
  const gcStats = await gc.stop();
  console.log(
    JSON.stringify({
      workload,
      source: "Op objects",
      txns,
      valid: r.valid,
      checkSeconds: +(ms / 1000).toFixed(2),
      cpuSeconds,
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      historyRssMb: Math.round(rssBeforeMb),
      ...gcStats,
      phasesMs: Object.fromEntries(Object.entries(r.stats ?? {}).filter(([k]) => k.endsWith("Ms"))),
    }),
  );
  if (r.valid !== true) process.exitCode = 1;
}

/** A 100k-transaction JSONL file, checked by the CLI (a child process) and in process by phase. */
async function cli(txns = 100_000): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "faultline-bench-elle-"));
  try {
    const file = join(dir, "history.jsonl");
    writeHistory(file, { txns, seed: 42, workload: "list-append" });
    const bin = fileURLToPath(new URL("../bin/faultline.mjs", import.meta.url));
    const started = performance.now();
    const childCpu0 = childCpuSeconds();
    const child = spawnSync(process.execPath, [bin, "check", file, "--checker", "elle-list-append"], {
      encoding: "utf8",
    });
    const cliSeconds = (performance.now() - started) / 1000;
    const cliCpuSeconds = +(childCpuSeconds() - childCpu0).toFixed(2);
    // In process, the CLI's path: the text straight into columns, then the check.
    let cpu0 = process.cpuUsage();
    let t = performance.now();
    const text = readFileSync(file, "utf8");
    const r = (await elleListAppendChecker.checkText!(text, file, {
      consistencyModel: "strict-serializable",
    })) as ElleResult;
    const textSeconds = (performance.now() - t) / 1000;
    const textCpuSeconds = cpuSecondsSince(cpu0);
    // And the object path (parseHistory, then check), for comparison.
    cpu0 = process.cpuUsage();
    t = performance.now();
    const parsed = parseHistory(text, { fileName: file });
    const parseSeconds = (performance.now() - t) / 1000;
    t = performance.now();
    await elleListAppendChecker.check(parsed, { consistencyModel: "strict-serializable" });
    const checkSeconds = (performance.now() - t) / 1000;
    const objectsCpuSeconds = cpuSecondsSince(cpu0);
    console.log(
      JSON.stringify({
        mode: "cli",
        txns,
        fileMb: Math.round(text.length / 2 ** 20),
        cliSeconds: +cliSeconds.toFixed(2),
        cliExit: child.status,
        cliOut: child.stdout.trim().split("\t").slice(1).join(" "),
        cliCpuSeconds,
        inProcessColumnsSeconds: +textSeconds.toFixed(2),
        inProcessColumnsCpuSeconds: textCpuSeconds,
        inProcessColumnsPhasesMs: Object.fromEntries(
          Object.entries(r.stats ?? {}).filter(([k]) => k.endsWith("Ms")),
        ),
        inProcessObjectsParseSeconds: +parseSeconds.toFixed(2),
        inProcessObjectsCheckSeconds: +checkSeconds.toFixed(2),
        inProcessObjectsCpuSeconds: objectsCpuSeconds,
        valid: r.valid,
      }),
    );
    if (child.status !== 0 || r.valid !== true) process.exitCode = 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const arg = process.argv[2];
const workload = (arg === "objects" ? "list-append" : (process.argv[3] ?? "list-append")) as Workload;
if (workload !== "list-append" && workload !== "rw-register") {
  throw new Error(`unknown workload '${workload}' (list-append or rw-register)`);
}
if (arg === "cli") {
  await cli();
} else if (arg === "objects") {
  await objects(Number(process.argv[3] ?? 1_000_000), (process.argv[4] ?? "list-append") as Workload);
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
