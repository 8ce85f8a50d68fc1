/**
 * `faultline check INPUT...`: many histories in one process, one verdict per input. An input is a
 * history file or a run folder (its history.jsonl, judged by the run's own checkers unless
 * --checker names one; an interrupted run gets the results.json and report it never wrote). With
 * --json, one JSON object per input per line (elle-cli's `file<TAB>verdict`, structured). The
 * programmatic `check()` (api.ts) runs the same code.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import type { CheckOptions } from "../../checkers/checker.ts";
import { HistoryParseError } from "../../checkers/history/errors.ts";
import { type History, NEMESIS } from "../../checkers/history/op.ts";
import { defaultNilReads, detectFormat, parseHistory } from "../../checkers/history/parse.ts";
import {
  anomalyTotal,
  combineResults,
  combineValidity,
  EXIT,
  exitCodeFor,
  type Results,
  type Validity,
} from "../../checkers/verdict.ts";
import { runCheckers } from "../run/check-history.ts";
import { readMetrics } from "../metrics-writer.ts";
import { writeJson } from "../run-folder.ts";

export const DEFAULT_CHECKER = "linearizable";

export interface CheckFlags {
  /** Checker name; default: a run folder's own checkers, else `linearizable`. */
  checker?: string;
  model?: string;
  initial?: string;
  consistencyModel?: string;
  /** Search budget per input, seconds. */
  timeLimit?: number;
  /** bank: the total every read must sum to; bank: negative balances allowed. */
  total?: number;
  /** linearizable: an ok read of null matches any state (`any`) or means null (`value`). */
  nilReads?: "any" | "value";
  negativeBalances?: boolean;
  json?: boolean;
  /** Write results.json, history.jsonl, test.json and the reports per input under this directory. */
  out?: string;
  /** Other checker options (e.g. bank's `total`), passed to the checker as they are. */
  [option: string]: unknown;
}

/** One checked input: its Results (as a run's results.json) and where they were written. */
export interface CheckedInput {
  input: string;
  /** The history file that was read. */
  file: string;
  /** Set when the input was a run folder. */
  runDir?: string;
  results: Results;
  ms: number;
  /** Folder holding results.json and report.html, when they were written. */
  written?: string;
}

/** The verdict for a history with no client operations: nothing was checked, so not "valid". */
const NO_OPERATIONS = "no operations in the history: nothing was checked";

export async function checkCommand(inputs: string[], f: CheckFlags): Promise<number> {
  const verdicts: Validity[] = [];
  let errors = 0;
  const outDirs = f.out ? outputNames(inputs).map((n) => join(f.out!, n)) : [];
  for (const [i, input] of inputs.entries()) {
    try {
      const checked = await checkInput(input, f, outDirs[i]);
      verdicts.push(checked.results.valid);
      printChecked(checked, f);
    } catch (err) {
      errors++;
      // A parse error raised inside a checker learns the file name here, so it reads file:line.
      const message =
        err instanceof HistoryParseError && err.fileName === undefined
          ? err.inFile(input).message
          : (err as Error).message;
      if (f.json) console.log(JSON.stringify({ file: input, error: message }));
      console.error(`faultline: ${message}`);
    }
  }
  if (errors > 0) return EXIT.error;
  return exitCodeFor(combineValidity(verdicts));
}

/**
 * Checks one input. `outDir`: where to write results and reports (default for an interrupted run
 * folder: the folder itself; otherwise nothing is written).
 */
export async function checkInput(input: string, f: CheckFlags, outDir?: string): Promise<CheckedInput> {
  const runDir = isDirectory(input) ? input : undefined;
  const file = runDir ? join(runDir, "history.jsonl") : input;
  if (runDir && !existsSync(file)) {
    throw new Error(`${input} is a directory without history.jsonl: not a run folder`);
  }
  // A checker that reads the bytes itself (Elle: straight into typed columns, no string and no
  // Op objects; at 100k transactions those cost more than the check) answers `--checker NAME FILE`.
  if (!runDir && !outDir && f.checker) {
    const direct = await judgeText(readBytes(file), file, f.checker, f);
    if (direct) return { input, file, results: direct.results, ms: direct.ms };
  }
  let text = readText(file);
  if (runDir && text.length && !text.endsWith("\n")) {
    // A run killed mid-write (kill -9) leaves a torn last line; every line before it is whole.
    console.error(`faultline: ${file}: ignoring a torn last line (the run was killed while writing it)`);
    text = text.slice(0, text.lastIndexOf("\n") + 1);
  }
  const history = parseHistory(text, { fileName: file });
  const test = runDir ? readTest(runDir) : undefined;
  const started = performance.now();
  // --nil-reads, else the history's own convention (Jepsen EDN: Knossos's "nil matches any").
  const nilReads = f.nilReads ?? defaultNilReads(detectFormat(text, file), text);
  const results = await judge(history, { ...f, nilReads }, test, runDir);
  const ms = Math.round(performance.now() - started);
  const checked: CheckedInput = { input, file, runDir, results, ms };

  if (outDir) {
    checked.written = await writeCheckFolder(outDir, history, results, {
      ...(test ?? {}),
      name: test?.name ?? basename(outDir),
      checkedFile: file,
      checker: f.checker ?? (test ? "the run's checkers" : DEFAULT_CHECKER),
    });
  } else if (runDir && !existsSync(join(runDir, "results.json")) && test) {
    // An interrupted run never wrote its results: write them and its report now.
    writeJson(join(runDir, "results.json"), results);
    await writeReportsQuietly(runDir);
    checked.written = runDir;
  }
  return checked;
}

/** Checks operations handed over directly (the programmatic API); `outDir` as for checkInput. */
export async function checkHistory(history: History, f: CheckFlags, outDir?: string): Promise<Results> {
  const results = await judge(history, f, undefined, undefined);
  if (outDir) {
    await writeCheckFolder(outDir, history, results, {
      name: basename(outDir),
      checker: f.checker ?? DEFAULT_CHECKER,
    });
  }
  return results;
}

async function judge(
  history: History,
  f: CheckFlags,
  test: Record<string, unknown> | undefined,
  runDir: string | undefined,
): Promise<Results> {
  const clientOps = history.filter((op) => op.process !== NEMESIS).length;
  if (clientOps === 0) {
    const name = f.checker ?? DEFAULT_CHECKER;
    return combineResults({
      [name]: { valid: "unknown", anomalyTypes: [], anomalies: [], reason: NO_OPERATIONS },
    });
  }
  const timeLimitMs = f.timeLimit !== undefined ? f.timeLimit * 1000 : undefined;
  if (f.checker || !test) {
    const options = checkerOptions(f, timeLimitMs);
    const name = f.checker ?? DEFAULT_CHECKER;
    refuseTxnCheckerWithoutTxns(name, history);
    // A checker that throws (it does not apply to these ops, bad input) is an error, not "unknown".
    const { loadChecker } = await import("../../checkers/registry.ts");
    const checker = await loadChecker(name);
    const started = performance.now();
    const result = await checker.check(history, options);
    return combineResults({
      [name]: { ...result, stats: { ...result.stats, checkMs: Math.round(performance.now() - started) } },
    });
  }
  // A run folder without --checker: the scenario's own checkers, signals and SLOs, as the run does.
  const { findScenario } = await import("../scenarios/index.ts");
  const scenario = findScenario(String(test.scenario));
  const budgetMs =
    timeLimitMs ?? (typeof test.checkTimeLimitS === "number" ? test.checkTimeLimitS * 1000 : undefined);
  const specs = scenario.checkers.map((s) => ({
    name: s.name,
    as: s.as,
    options: { ...s.options, timeLimitMs: s.options.timeLimitMs ?? budgetMs },
  }));
  const { computeSignals } = await import("../../checkers/signals.ts");
  const signals = computeSignals(history, runDir ? readMetrics(join(runDir, "metrics.jsonl")) : []);
  const results = await runCheckers(history, specs, signals);
  if (test.slo && typeof test.slo === "object") {
    const { checkSlo } = await import("../../checkers/slo.ts");
    return combineResults({ ...results.checkers, slo: checkSlo(signals, test.slo) }, results.signals);
  }
  return results;
}

/** Elle judges transactions: on a history without any, it has nothing to say, so it is refused
 *  (as the session checker refuses non-register ops) rather than answering "unknown" at length. */
/** The options a named checker gets from the flags. */
function checkerOptions(f: CheckFlags, timeLimitMs: number | undefined): CheckOptions {
  // Checker-specific flags (e.g. bank's --total) pass through as options.
  const { checker: _c, json: _j, out: _o, initial: _i, timeLimit: _t, ...rest } = f;
  return {
    ...rest,
    model: f.model,
    initial: parseInitial(f.initial),
    consistencyModel: f.consistencyModel,
    timeLimitMs,
    total: f.total,
    negativeBalances: f.negativeBalances,
  };
}

/** `checker.checkText` on the file's text; undefined when the checker has none or declines this text. */
async function judgeText(
  text: string | Uint8Array,
  file: string,
  name: string,
  f: CheckFlags,
): Promise<{ results: Results; ms: number } | undefined> {
  const { loadChecker } = await import("../../checkers/registry.ts");
  const checker = await loadChecker(name);
  if (!checker.checkText) return undefined;
  const options = checkerOptions(f, f.timeLimit !== undefined ? f.timeLimit * 1000 : undefined);
  const started = performance.now();
  const result = await checker.checkText(text, file, options);
  if (result === undefined) return undefined;
  const ms = Math.round(performance.now() - started);
  return { results: combineResults({ [name]: { ...result, stats: { ...result.stats, checkMs: ms } } }), ms };
}

function refuseTxnCheckerWithoutTxns(name: string, history: History): void {
  if (!name.startsWith("elle-")) return;
  const fs = new Set(history.filter((op) => op.process !== NEMESIS).map((op) => op.f));
  if (fs.has("txn")) return;
  throw new Error(
    `${name} checks transactions (f "txn"); this history has only ${[...fs].map((x) => `"${x}"`).join(", ")} operations`,
  );
}

function printChecked(c: CheckedInput, f: CheckFlags): void {
  const r = c.results;
  const checkers = Object.values(r.checkers);
  const anomalies = checkers.flatMap((x) => x.anomalies);
  const count = checkers.reduce(
    (n, x) => n + (x.valid === false || x.anomalies.length ? anomalyTotal(x) : 0),
    0,
  );
  const reason = checkers
    .map((x) => x.reason)
    .filter(Boolean)
    .join("; ");
  // Elle names the consistency models the history rules out.
  // Once each: one history checked by Elle against two models names the same models twice.
  const not = [...new Set(checkers.flatMap((x) => (Array.isArray(x.not) ? (x.not as string[]) : [])))];
  const alsoNot = [
    ...new Set(checkers.flatMap((x) => (Array.isArray(x.alsoNot) ? (x.alsoNot as string[]) : []))),
  ];
  // Which meaning a null read had, where a model gave it one (linearizable's stats).
  const nilReads = checkers.map((x) => x.stats?.nilReads).find((v) => v !== undefined);
  if (f.json) {
    console.log(
      JSON.stringify({
        file: c.input,
        valid: r.valid,
        anomalyTypes: r.anomalyTypes,
        anomalyCount: count,
        ...(not.length ? { not, alsoNot } : {}),
        ms: c.ms,
        ...(nilReads ? { nilReads } : {}),
        ...(reason ? { reason } : {}),
        ...(c.written ? { written: c.written } : {}),
        anomalies,
      }),
    );
  } else {
    const word = r.valid === true ? "valid" : r.valid === false ? "invalid" : "unknown";
    const fields = [c.input, word];
    if (count) fields.push(`${count} ${count === 1 ? "anomaly" : "anomalies"}`);
    if (r.anomalyTypes.length) fields.push(r.anomalyTypes.join(","));
    if (not.length) fields.push(`not ${not.join(", ")}`);
    if (reason) fields.push(reason);
    console.log(fields.join("\t"));
    const first = anomalies[0];
    if (first) console.log(`  e.g. ${first.explanation}`);
  }
  if (c.written) console.error(`faultline: wrote results.json and report.html in ${c.written}`);
}

/** One output folder per input, named after it; two inputs never share one (history.jsonl twice). */
export function outputNames(inputs: string[]): string[] {
  const stem = (p: string) => {
    const abs = resolve(p);
    const name = isDirectory(abs) ? basename(abs) : basename(abs).replace(/\.[^.]*$/, "");
    // A run folder's history is named by its run (store/<test>/<timestamp>/history.jsonl).
    return name === "history" ? `${basename(dirname(dirname(abs)))}-${basename(dirname(abs))}` : name;
  };
  const seen = new Map<string, number>();
  return inputs.map((p) => {
    const s = stem(p) || "history";
    const n = (seen.get(s) ?? 0) + 1;
    seen.set(s, n);
    return n === 1 ? s : `${s}-${n}`;
  });
}

/** A folder `faultline report` and `serve` understand: history, test, results, reports. */
async function writeCheckFolder(
  dir: string,
  history: History,
  results: Results,
  test: Record<string, unknown>,
): Promise<string> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, "history.jsonl"),
    history.map(({ line: _line, ...op }) => JSON.stringify(op)).join("\n") + (history.length ? "\n" : ""),
  );
  writeJson(join(dir, "test.json"), test);
  writeJson(join(dir, "results.json"), results);
  await writeReportsQuietly(dir);
  return dir;
}

async function writeReportsQuietly(dir: string): Promise<void> {
  try {
    const { writeReports } = await import("../../reports/write.ts");
    await writeReports(dir);
  } catch (err) {
    // A report that fails to render must not hide the verdict.
    console.error(`faultline: could not write the report in ${dir}: ${(err as Error).message}`);
  }
}

function parseInitial(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`--initial must be JSON (e.g. 0, null, '{"x":0}'), got '${text}'`);
  }
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function readTest(runDir: string): Record<string, unknown> | undefined {
  const path = join(runDir, "test.json");
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
  } catch (err) {
    throw new Error(`${path} is not valid JSON: ${(err as Error).message}`);
  }
}

function readText(file: string): string {
  return readBytes(file).toString("utf8");
}

function readBytes(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why =
      e.code === "ENOENT"
        ? "no such file"
        : e.code === "EISDIR"
          ? "is a directory"
          : e.code === "EACCES"
            ? "permission denied"
            : e.message;
    throw new Error(`cannot read history '${file}': ${why}`);
  }
}
