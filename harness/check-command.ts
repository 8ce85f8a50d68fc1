/**
 * `faultline check FILE...`: many histories in one process, one verdict per file. With --json,
 * one JSON object per file per line (elle-cli's `file<TAB>verdict`, structured).
 */
import { mkdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import type { CheckOptions } from "../checkers/checker.ts";
import { HistoryParseError } from "../checkers/history/errors.ts";
import { parseHistory } from "../checkers/history/parse.ts";
import { loadChecker } from "../checkers/registry.ts";
import { combineValidity, EXIT, exitCodeFor, type Validity } from "../checkers/verdict.ts";
import { writeJson } from "./run-folder.ts";

export interface CheckFlags {
  checker: string;
  model?: string;
  initial?: string;
  consistencyModel?: string;
  timeLimit?: number;
  /** bank: the total every read must sum to; bank: negative balances allowed. */
  total?: number;
  negativeBalances?: boolean;
  json?: boolean;
  out?: string;
}

export async function checkCommand(files: string[], f: CheckFlags): Promise<number> {
  let initial: unknown;
  if (f.initial !== undefined) {
    try {
      initial = JSON.parse(f.initial);
    } catch {
      console.error(`faultline: --initial must be JSON (e.g. 0, null, '{"x":0}'), got '${f.initial}'`);
      return EXIT.error;
    }
  }
  const checker = await loadChecker(f.checker);
  const options: CheckOptions = {
    model: f.model,
    initial,
    consistencyModel: f.consistencyModel,
    timeLimitMs: f.timeLimit !== undefined ? f.timeLimit * 1000 : undefined,
    total: f.total,
    negativeBalances: f.negativeBalances,
  };
  const verdicts: Validity[] = [];
  let errors = 0;
  for (const file of files) {
    try {
      const history = parseHistory(readText(file), { fileName: file });
      const started = performance.now();
      const result = await checker.check(history, options);
      const ms = Math.round(performance.now() - started);
      verdicts.push(result.valid);
      if (f.out) {
        const dir = join(f.out, basename(file).replace(/\.[^.]*$/, ""));
        mkdirSync(dir, { recursive: true });
        writeJson(join(dir, "results.json"), { file, checker: f.checker, ...result });
      }
      // Elle names the consistency models the history rules out.
      const not = Array.isArray(result.not) ? (result.not as string[]) : undefined;
      const alsoNot = Array.isArray(result.alsoNot) ? (result.alsoNot as string[]) : undefined;
      if (f.json) {
        console.log(
          JSON.stringify({
            file,
            valid: result.valid,
            anomalyTypes: result.anomalyTypes,
            ...(not ? { not, alsoNot } : {}),
            ms,
            ...(result.reason ? { reason: result.reason } : {}),
            anomalies: result.anomalies,
          }),
        );
      } else {
        const word = result.valid === true ? "valid" : result.valid === false ? "invalid" : "unknown";
        const notText = not?.length ? `\tnot ${not.join(", ")}` : "";
        console.log(
          `${file}\t${word}${result.anomalyTypes.length ? `\t${result.anomalyTypes.join(",")}` : ""}${notText}${result.reason ? `\t${result.reason}` : ""}`,
        );
        const first = result.anomalies[0];
        if (first) console.log(`  ${first.explanation}`);
      }
    } catch (err) {
      errors++;
      // A parse error raised inside a checker learns the file name here, so it reads file:line.
      const message =
        err instanceof HistoryParseError && err.fileName === undefined
          ? err.inFile(file).message
          : (err as Error).message;
      if (f.json) console.log(JSON.stringify({ file, error: message }));
      console.error(`faultline: ${message}`);
    }
  }
  if (errors > 0) return EXIT.error;
  return exitCodeFor(combineValidity(verdicts));
}

function readText(file: string): string {
  try {
    return readFileSync(file, "utf8");
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
