/**
 * Runs a registered scenario end to end for the integration tests of the transactional
 * scenarios: its own defaults, then the test's overrides, in a temporary store folder; returns the
 * outcome and the parsed history. The folder is kept when `KEEP_RUNS` is set (to look at a
 * finding), removed otherwise.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { History } from "../../checkers/history/op.ts";
import { parseHistory } from "../../checkers/history/parse.ts";
import { DEFAULTS, type TestConfig, validateConfig } from "../../harness/config.ts";
import { type RunOutcome, runTest } from "../../harness/run/runner.ts";
import { findScenario } from "../../harness/scenarios/index.ts";

export async function runScenario(
  scenario: string,
  overrides: Partial<TestConfig> = {},
): Promise<{ outcome: RunOutcome; history: History; cleanup(): void }> {
  const store = mkdtempSync(join(tmpdir(), `faultline-${scenario}-`));
  const config = validateConfig({
    ...DEFAULTS,
    ...findScenario(scenario).defaults,
    name: scenario,
    scenario,
    seed: 1,
    store,
    ...overrides,
  });
  const outcome = await runTest(config, { phase: () => {}, log: () => {} });
  const history = parseHistory(readFileSync(outcome.folder.history, "utf8"), { fileName: "history.jsonl" });
  return {
    outcome,
    history,
    cleanup: () => {
      if (!process.env.KEEP_RUNS) rmSync(store, { recursive: true, force: true });
      else console.log(`kept ${outcome.folder.dir}`);
    },
  };
}
