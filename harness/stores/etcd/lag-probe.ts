/**
 * Replication lag by region pair on etcd: a probe key is put through the leader, then every other
 * member is polled with serializable reads (its own applied state) until it shows the new value;
 * the time that took is one sample for the pair (leader's region -> member's region). One round is
 * outstanding at a time; a member cut off shows up as one long sample when it catches up.
 */
import type { MetricsWriter } from "../../metrics-writer.ts";
import { sleep } from "../../sleep.ts";
import { type Probe, probeLoop } from "../probe-loop.ts";
import type { ServerNode } from "../server-node.ts";
import { GatewayClient } from "./gateway-client.ts";
import { memberStatus } from "./raft-cluster.ts";

const PROBE_KEY = "faultline/lag-probe";

export function startEtcdLagProbe(
  members: Map<string, ServerNode>,
  metrics: MetricsWriter,
  opts: { intervalMs?: number; pollMs?: number; maxWaitMs?: number } = {},
): Probe {
  const intervalMs = opts.intervalMs ?? 1000;
  const pollMs = opts.pollMs ?? 20;
  const maxWaitMs = opts.maxWaitMs ?? 30_000;
  const ids = new Map<string, string>(); // member id -> node
  let n = 0;

  const leader = async (): Promise<ServerNode | undefined> => {
    for (const m of members.values()) {
      try {
        const s = await memberStatus(m.address);
        ids.set(s.memberId, m.name);
        if (s.leader !== "0" && ids.has(s.leader)) return members.get(ids.get(s.leader)!);
      } catch {
        // paused, killed or cut off: ask the next one
      }
    }
    return undefined;
  };

  const round = async (stopped: AbortSignal) => {
    const l = await leader();
    if (!l) return;
    const value = String(++n);
    const put = new GatewayClient(l.address, 2_000);
    try {
      await put.put(PROBE_KEY, value);
    } finally {
      put.close();
    }
    const started = performance.now();
    await Promise.all(
      [...members.values()]
        .filter((m) => m !== l)
        .map(async (m) => {
          const c = new GatewayClient(m.address, 1_000);
          try {
            while (!stopped.aborted && performance.now() - started < maxWaitMs) {
              const v = await c.get(PROBE_KEY, true).catch(() => null);
              if (v !== null && Number(v) >= n) {
                metrics.record({
                  kind: "lag",
                  from: l.spec.region,
                  to: m.spec.region,
                  ms: Math.round(performance.now() - started),
                  source: "probe key, serializable reads",
                });
                return;
              }
              await sleep(pollMs, stopped);
            }
          } finally {
            c.close();
          }
        }),
    );
  };
  return probeLoop(round, intervalMs);
}
