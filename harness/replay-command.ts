/**
 * `faultline replay RUN_DIR`: runs a past run's test again, same seed, same faults at the same
 * offsets, and prints both verdicts side by side.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { EXIT, type Results, type Validity } from "../checkers/verdict.ts";
import { TestConfigSchema, type TestConfig, validateConfig } from "./config.ts";
import { readJson } from "./run-folder.ts";
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
  if (flags.json) {
    console.log(
      JSON.stringify({
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
    console.error(`\n${rows.map((r) => `${r[0].padEnd(w0)}  ${r[1].padEnd(w1)}  ${r[2]}`).join("\n")}`);
  }
  return replayed.code;
}
