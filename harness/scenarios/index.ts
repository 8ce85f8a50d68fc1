/**
 * The scenario catalogue (DESIGN.md, "Scenarios and what they must find"). Each entry states its
 * expected outcome; scenarios not built yet are listed so users see what is coming, and refuse
 * to run with a clear message.
 */
import { pgAsyncReplica, pgSyncReplica } from "./pg-async-replica.ts";
import { pgBank, pgBankReadCommitted } from "./pg-bank.ts";
import { pgFailover } from "./pg-failover.ts";
import { pgGeoPartitioned } from "./pg-geo-partitioned.ts";
import { pgMultiWriter, pgMultiWriterCrdt, pgMultiWriterLww } from "./pg-multi-writer.ts";
import { redisSentinel } from "./redis-sentinel.ts";
import { etcd3Region, etcdSerializableReads } from "./etcd-3-region.ts";
import { pgReadCommitted } from "./pg-read-committed.ts";
import { pgReadsLocal, pgReadsPinned, pgReadsPrimary } from "./pg-reads.ts";
import { pgRegionSwitchLocal, pgRegionSwitchPinned } from "./pg-region-switch.ts";
import { pgStaleCache, pgStaleCacheInvalidate } from "./pg-stale-cache.ts";
import { pgLwwClockSkew, pgLwwClockSync } from "./pg-lww-clock.ts";
import { pgMultiWriterSet, pgReconciliationQueue } from "./pg-reconciliation-queue.ts";
import { pgRepeatableRead } from "./pg-repeatable-read.ts";
import { pgReplicaReads, pgReplicaReadsPrimary } from "./pg-replica-reads.ts";
import { pgSerializable } from "./pg-serializable.ts";
import type { Scenario, ScenarioInfo } from "./scenario.ts";

type Planned = ScenarioInfo & { implemented: false };

const planned: Planned[] = [];

export const DEFAULT_SCENARIO = "pg-async-replica";

export const scenarios: (Scenario | Planned)[] = [
  pgAsyncReplica,
  pgSyncReplica,
  pgFailover,
  pgMultiWriter,
  pgMultiWriterLww,
  pgMultiWriterCrdt,
  pgGeoPartitioned,
  pgSerializable,
  pgRepeatableRead,
  pgReadCommitted,
  pgBank,
  pgBankReadCommitted,
  pgReplicaReads,
  pgReplicaReadsPrimary,
  pgReadsLocal,
  pgReadsPinned,
  pgReadsPrimary,
  pgRegionSwitchLocal,
  pgRegionSwitchPinned,
  pgStaleCache,
  pgStaleCacheInvalidate,
  pgLwwClockSkew,
  pgLwwClockSync,
  pgReconciliationQueue,
  pgMultiWriterSet,
  redisSentinel,
  etcd3Region,
  etcdSerializableReads,
  ...planned,
];

/** Makes a scenario known (tests add toy scenarios this way; later issues add their own files). */
export function registerScenario(s: Scenario): void {
  const i = scenarios.findIndex((x) => x.name === s.name);
  if (i >= 0) scenarios[i] = s;
  else scenarios.push(s);
}

export function findScenario(name: string): Scenario {
  const s = scenarios.find((x) => x.name === name);
  if (!s) {
    throw new Error(
      `unknown scenario '${name}' (known: ${scenarios.map((x) => x.name).join(", ")}; see 'faultline scenarios')`,
    );
  }
  if (!s.implemented || !("store" in s)) {
    throw new Error(
      `scenario '${name}' is planned but not implemented yet (implemented: ${scenarios
        .filter((x) => x.implemented)
        .map((x) => x.name)
        .join(", ")})`,
    );
  }
  return s;
}
