/**
 * `faultline replay RUN_DIR`: runs a past run's test again, same seed, same faults at the same
 * offsets, and prints both verdicts side by side.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { EXIT, type Results, type Validity } from "../../checkers/verdict.ts";
import { TestConfigSchema, type TestConfig, validateConfig } from "../config.ts";
import { readJson } from "../run-folder.ts";
import { executeRun, type RunFlags } from "./run-command.ts";

/** The config a run recorded, as `run` takes it back: only the schema's fields, schedule included. */
export function configOfRun(dir: string): TestConfig {
  const path = join(dir, "test.json");
  if (!existsSync(path)) throw new Error(`${dir} is not a run folder: no test.json`);
  const recorded = readJson<Record<string, unknown>>(path);
  const known = new Set(Object.keys(TestConfigSchema.shape));
  return validateConfig(Object.fromEntries(Object.entries(recorded).filter(([k]) => known.has(k))));
}

const word = (v: Validity | undefined) =>
  v === true ? "valid" : v === false ? "invalid" : v === "unknown" ? "unknown" : "(none)";

export async function replayCommand(
  dir: string,
  flags: Pick<RunFlags, "json" | "progress" | "store">,
): Promise<number> {
  let config: TestConfig;
  try {
    config = configOfRun(dir);
  } catch (err) {
    console.error(`faultline: ${(err as Error).message}`);
    return EXIT.error;
  }
  const resultsPath = join(dir, "results.json");
  const before = existsSync(resultsPath) ? readJson<Results>(resultsPath) : undefined;
  const replayed = await executeRun({ ...config, store: flags.store ?? config.store }, flags);
  const rows: [string, string, string][] = [
    ["", "original", "replay"],
    ["run", dir, replayed.dir ?? "(none)"],
    ["verdict", word(before?.valid), word(replayed.results?.valid)],
    ["anomalies", before?.anomalyTypes.join(", ") || "-", replayed.results?.anomalyTypes.join(", ") || "-"],
  ];
  const change = describeChange(before?.anomalyTypes, replayed.results?.anomalyTypes);
  if (flags.json) {
    console.log(
      JSON.stringify({
        ...(change ? { changed: change } : {}),
        original: { dir, valid: before?.valid, anomalyTypes: before?.anomalyTypes },
        replay: {
          dir: replayed.dir,
          valid: replayed.results?.valid,
          anomalyTypes: replayed.results?.anomalyTypes,
        },
      }),
    );
  } else {
    const w0 = Math.max(...rows.map((r) => r[0].length));
    const w1 = Math.max(...rows.map((r) => r[1].length));
    console.error("");
    console.log(rows.map((r) => `${r[0].padEnd(w0)}  ${r[1].padEnd(w1)}  ${r[2]}`).join("\n"));
    if (change) console.log(`changed: ${change}`);
  }
  return replayed.code;
}

/**
 * What differs between two runs' anomaly types, in words ("now also lost-write; no longer
 * stale-read"); undefined when they are the same or one run has no results. A replay repeats the
 * operations and faults, not the store's timing, so the types found may differ.
 */
export function describeChange(
  before: string[] | undefined,
  after: string[] | undefined,
): string | undefined {
  if (!before || !after) return undefined;
  const added = after.filter((t) => !before.includes(t));
  const gone = before.filter((t) => !after.includes(t));
  if (!added.length && !gone.length) return undefined;
  const parts: string[] = [];
  if (added.length) parts.push(`${before.length ? "now also" : "now"} ${added.join(", ")}`);
  if (gone.length) parts.push(`no longer ${gone.join(", ")}`);
  return `${parts.join("; ")} (same seed and fault schedule; the store's timing differs between runs)`;
}
