/**
 * Checkers by name, loaded lazily so `faultline check` only pays for the one it runs.
 */
import type { Checker } from "./checker.ts";

type Loader = () => Promise<Checker>;

const loaders: Record<string, { description: string; load: Loader }> = {
  linearizable: {
    description: "Linearizability against a sequential model (--model, --initial); P-compositional by key",
    load: async () => (await import("./linearizability/index.ts")).linearizableChecker,
  },
  "home-linearizable": {
    description:
      "Linearizability of each key as served by its home node (geo-partitioning: stale reads elsewhere are not judged)",
    load: async () => (await import("./home-linearizable.ts")).homeLinearizableChecker,
  },
  session: {
    description: "Session guarantees on registers: read-your-writes and monotonic-reads, per process",
    load: async () => (await import("./session.ts")).sessionChecker,
  },
  staleness: {
    description:
      "Bounded staleness on registers: stale reads (of a value an acknowledged write had replaced) past a bound, with their age",
    load: async () => (await import("./staleness.ts")).stalenessChecker,
  },
  "lww-clock": {
    description:
      "Last-writer-wins against real time: acknowledged writes dropped for an earlier write with a later timestamp (clock skew)",
    load: async () => (await import("./lww-clock.ts")).lwwClockChecker,
  },
  "nothing-lost-silently": {
    description:
      "Sets with a reconciliation queue: every acknowledged add is in the final reads or in a pending queue entry",
    load: async () => (await import("./reconciliation.ts")).reconciliationChecker,
  },
  set: {
    description:
      "Sets (Jepsen set-full): lost-write, stale-read, unexpected, duplicate; never-read as information",
    load: async () => (await import("./set.ts")).setChecker,
  },
  bank: {
    description: "Bank (Jepsen's bank): wrong-total and negative-value reads (--total, --negative-balances)",
    load: async () => (await import("./bank.ts")).bankChecker,
  },
  counter: {
    description: "Counter (Jepsen's counter): reads outside [acknowledged, attempted] increments",
    load: async () => (await import("./counter.ts")).counterChecker,
  },
  "long-fork": {
    description: "Long fork (Jepsen's long-fork): two reads seeing two inserts in opposite orders",
    load: async () => (await import("./long-fork.ts")).longForkChecker,
  },
  "elle-list-append": {
    description: "Elle-style isolation anomalies in list-append transactions (--consistency-model)",
    load: async () => (await import("./elle/index.ts")).elleListAppendChecker,
  },
  "elle-rw-register": {
    description: "Elle-style isolation anomalies in read/write register transactions (--consistency-model)",
    load: async () => (await import("./elle/index.ts")).elleRwRegisterChecker,
  },
};

export const checkerNames = Object.keys(loaders);

export function describeCheckers(): { name: string; description: string }[] {
  return checkerNames.map((name) => ({ name, description: loaders[name].description }));
}

export async function loadChecker(name: string): Promise<Checker> {
  const entry = loaders[name];
  if (!entry) throw new Error(`unknown checker '${name}' (known: ${checkerNames.join(", ")})`);
  return entry.load();
}
