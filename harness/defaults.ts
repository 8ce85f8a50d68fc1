/**
 * The defaults of a test's configuration, apart from config.ts (which loads zod) so that the CLI
 * can print them in `--help` without paying for the schema library at start-up.
 */
import type { TestConfig } from "./config.ts";

export const DEFAULTS: Omit<TestConfig, "name" | "scenario" | "seed"> = {
  timeLimitS: 30,
  concurrency: 5,
  rate: 100,
  opTimeoutMs: 2000,
  nemesis: ["partition-replication"],
  nemesisIntervalS: 8,
  faultDurationS: 4,
  latencyMs: 40,
  jitterMs: 0,
  backend: "local",
  net: "proxy",
  checkTimeLimitS: 60,
  store: "store",
};
