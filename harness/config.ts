/**
 * A test's configuration: validated once (zod), written to `test.json`, read back by `replay`.
 * Errors name the field that is wrong.
 */
import { z } from "zod";

export const TestConfigSchema = z
  .object({
    /** Test name: the run folder is store/<name>/<timestamp>/. Defaults to the scenario name. */
    name: z.string().regex(/^[A-Za-z0-9._-]+$/, "letters, digits, '.', '_' and '-' only"),
    scenario: z.string(),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 32 - 1),
    /** Seconds of client workload (warm-up and final phases are extra, and short). */
    timeLimitS: z
      .number()
      .positive()
      .max(7 * 24 * 3600),
    /** Logical client processes per region. */
    concurrency: z.number().int().min(1).max(500),
    /** Target operations per second, all clients together. */
    rate: z.number().positive().max(1_000_000),
    /** An operation that has not completed by then is recorded as `info` and its process retired. */
    opTimeoutMs: z.number().int().min(10).max(600_000),
    /** Nemesis kinds to schedule; empty for none. */
    nemesis: z.array(z.string()),
    /** Seconds between the starts of successive faults. */
    nemesisIntervalS: z.number().positive(),
    /** How long each fault lasts, in seconds. */
    faultDurationS: z.number().positive(),
    /** One-way latency added to every cross-region link, in milliseconds. */
    latencyMs: z.number().min(0).max(60_000),
    jitterMs: z.number().min(0).max(60_000),
    /** Legacy (runs before workload options): the register workload's opsPerKey / keysInFlight.
     *  Kept so old test.json files replay; new runs put workload knobs in `workloadOptions`. */
    opsPerKey: z.number().int().min(1).max(100_000).optional(),
    keysInFlight: z.number().int().min(1).max(10_000).optional(),
    /** The workload's own knobs, over the scenario's (validated by the workload's schema). */
    workloadOptions: z.record(z.string(), z.unknown()).optional(),
    /** Where nodes run: local (processes), docker, compose, external. */
    backend: z.string().min(1).default("local"),
    /** The external backend's deployment file (nodes, Toxiproxy servers, hooks; no credentials). */
    deployment: z.string().min(1).optional(),
    /** Read policy over the scenario's (`--reads`): local, pinned or primary (scenario.ts ReadPolicy). */
    reads: z.enum(["local", "pinned", "primary"]).optional(),
    /** How node-to-node links are faulted: proxy (per-link Toxiproxy) or netns (packet level, root). */
    net: z.enum(["proxy", "netns"]).default("proxy"),
    /** Linearizability search budget per run, in seconds. */
    checkTimeLimitS: z.number().positive(),
    /** Store directory holding run folders. */
    store: z.string().min(1),
    /** Toxiproxy API to use instead of starting one (or TOXIPROXY_URL). */
    proxyUrl: z.string().url().optional(),
    /** Service-level objectives; a signal over one is an `slo-violation` and fails the run. */
    slo: z
      .object({
        p99LatencyMs: z.number().positive().optional(),
        maxErrorRate: z.number().min(0).max(1).optional(),
        maxReplicationLagMs: z.number().positive().optional(),
        maxFailoverMs: z.number().positive().optional(),
        maxConflictRate: z.number().min(0).optional(),
        maxStalenessMs: z.number().min(0).optional(),
      })
      .strict()
      .optional(),
    /** The fault plan as run; filled by the harness, reused by `replay`. */
    schedule: z.array(z.unknown()).optional(),
  })
  .strict();

export type TestConfig = z.infer<typeof TestConfigSchema>;

// The defaults live in a zod-free file so `faultline --help` need not load zod.
export { DEFAULTS } from "./defaults.ts";

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Validates a config; the error names every offending field (`concurrency: must be >= 1`). */
export function validateConfig(input: unknown): TestConfig {
  const parsed = TestConfigSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "(config)"}: ${i.message}`);
  throw new ConfigError(`bad config: ${problems.join("; ")}`);
}

export function randomSeed(): number {
  return Math.floor(Math.random() * 2 ** 31);
}
