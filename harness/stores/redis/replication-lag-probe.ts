/**
 * Replication lag by region pair from `INFO replication` offsets: the master's
 * `master_repl_offset` is read, then each of its replicas (read directly) is polled until its
 * `slave_repl_offset` has reached it; the time that took is one lag sample for the pair (the
 * master's region -> the replica's). One round is outstanding at a time, so a cut replica shows up
 * as one long sample when it catches up, not as a pile of timeouts. After a failover, whichever
 * node says `role:master` is the one measured.
 */
import type { MetricsWriter } from "../../metrics-writer.ts";
import { sleep } from "../../sleep.ts";
import { type Probe, probeLoop } from "../probe-loop.ts";
import { parseFields, parseInfo, withDirect } from "./direct-connection.ts";
import type { SentinelCluster } from "./sentinel-cluster.ts";

async function info(cluster: SentinelCluster, node: string): Promise<Map<string, string> | undefined> {
  const n = cluster.servers.get(node)!;
  try {
    return parseInfo(
      await withDirect(n.address, { password: cluster.password, timeoutMs: 1000 }, (r) =>
        r.info("replication"),
      ),
    );
  } catch {
    return undefined;
  }
}

export function startRedisLagProbe(
  cluster: SentinelCluster,
  metrics: MetricsWriter,
  opts: { intervalMs?: number; pollMs?: number; maxWaitMs?: number } = {},
): Probe {
  const intervalMs = opts.intervalMs ?? 1000;
  const pollMs = opts.pollMs ?? 20;
  const maxWaitMs = opts.maxWaitMs ?? 30_000;
  const regionOf = (node: string) => cluster.servers.get(node)!.spec.region;

  const round = async (stopped: AbortSignal) => {
    // The master with the most replicas attached (during a split there may be two).
    let master: { node: string; offset: number; replicas: string[] } | undefined;
    for (const node of cluster.servers.keys()) {
      const i = await info(cluster, node);
      if (i?.get("role") !== "master") continue;
      const replicas = [...i.entries()]
        .filter(([k]) => /^slave\d+$/.test(k))
        .map(([, v]) => parseFields(v))
        .map((f) => cluster.nodeAt(`${f.ip}:${f.port}`))
        .filter((n): n is string => n !== undefined);
      if (!master || replicas.length > master.replicas.length)
        master = { node, offset: Number(i.get("master_repl_offset")), replicas };
    }
    if (!master) return;
    const started = performance.now();
    await Promise.all(
      master.replicas.map(async (replica) => {
        while (!stopped.aborted && performance.now() - started < maxWaitMs) {
          const i = await info(cluster, replica);
          if (i && Number(i.get("slave_repl_offset")) >= master.offset) {
            metrics.record({
              kind: "lag",
              from: regionOf(master.node),
              to: regionOf(replica),
              ms: Math.round(performance.now() - started),
              source: "INFO replication offsets",
            });
            return;
          }
          await sleep(pollMs, stopped);
        }
      }),
    );
  };
  return probeLoop(round, intervalMs);
}
