/**
 * The store options of the `sentinel` layout (a scenario's `storeOptions`), with their defaults.
 */
import { z } from "zod";

export const SentinelOptionsSchema = z
  .object({
    /** Redis `min-replicas-to-write`: the master refuses writes unless this many replicas are
     *  connected and acknowledged within `minReplicasMaxLagS`. 0: off (Redis's default). */
    minReplicasToWrite: z.number().int().min(0).max(10).default(0),
    minReplicasMaxLagS: z.number().int().min(1).max(600).default(10),
    /** `WAIT replicas timeoutMs` after every write; a write fewer replicas acknowledged in time is
     *  reported as unknown (`info`): it is on the master, but maybe nowhere else. */
    wait: z
      .object({ replicas: z.number().int().min(1).max(10), timeoutMs: z.number().int().min(1).max(60_000) })
      .strict()
      .optional(),
    /** Sentinel's `down-after-milliseconds`: how long a master is unreachable before it is down. */
    downAfterMs: z.number().int().min(100).max(60_000).default(2_000),
    /** Sentinel's `failover-timeout`. */
    failoverTimeoutMs: z.number().int().min(1_000).max(600_000).default(6_000),
  })
  .strict();

export type SentinelOptions = z.output<typeof SentinelOptionsSchema>;
