/**
 * Watches the Sentinels' own event channels (subscribed directly, not through a proxy, so a
 * partition does not hide them) and keeps when each Sentinel saw the master go down (`+odown`),
 * when a failover switched the master (`+switch-master`) and when a returning old master was
 * turned into a replica (`+convert-to-slave`): the failover time of a run, and what marks the
 * writes an old master acknowledged after it had been replaced.
 */
import { Redis } from "ioredis";
import type { MetricsWriter } from "../../metrics-writer.ts";
import type { SentinelCluster } from "./sentinel-cluster.ts";

export interface SentinelEvent {
  event: string;
  sentinel: string;
  atMs: number;
  /** The data node the event is about (`+odown`, `+convert-to-slave`). */
  node?: string;
  /** `+switch-master`: from which node to which. */
  from?: string;
  to?: string;
}

const CHANNELS = ["+odown", "-odown", "+switch-master", "+convert-to-slave", "+failover-end"];

export class FailoverWatch {
  readonly events: SentinelEvent[] = [];
  private readonly subs: Redis[] = [];
  metrics: MetricsWriter | undefined;

  constructor(
    private readonly cluster: SentinelCluster,
    private readonly now: () => number,
  ) {}

  async start(): Promise<void> {
    for (const [name, s] of this.cluster.sentinels) {
      const r = new Redis({
        host: s.address.host,
        port: s.address.port,
        password: this.cluster.password,
        connectTimeout: 2_000,
        // A killed or paused Sentinel: keep trying, its events after it comes back count too.
        retryStrategy: () => 500,
        maxRetriesPerRequest: null,
      });
      r.on("error", () => {});
      r.on("message", (channel: string, message: string) => this.record(name, channel, message));
      this.subs.push(r);
      await r.subscribe(...CHANNELS).catch(() => {});
    }
  }

  /** One message from a Sentinel on one of its event channels. */
  record(sentinel: string, channel: string, message: string): void {
    const parts = message.split(" ");
    const e: SentinelEvent = { event: channel, sentinel, atMs: this.now() };
    if (channel === "+switch-master") {
      // <master-name> <old-ip> <old-port> <new-ip> <new-port>
      e.from = this.cluster.nodeAt(`${parts[1]}:${parts[2]}`) ?? `${parts[1]}:${parts[2]}`;
      e.to = this.cluster.nodeAt(`${parts[3]}:${parts[4]}`) ?? `${parts[3]}:${parts[4]}`;
    } else {
      // <instance-type> <name> <ip> <port> [@ <master-name> <master-ip> <master-port>]
      const node = this.cluster.nodeAt(`${parts[2]}:${parts[3]}`);
      if (node) e.node = node;
    }
    this.events.push(e);
    this.metrics?.record({ kind: "sentinel", ...e });
  }

  /** One entry per master switch (every Sentinel announces it; the first to tell counts). */
  failovers(): { from: string; to: string; atMs: number; downAtMs?: number; announcedBy: string[] }[] {
    const out: { from: string; to: string; atMs: number; downAtMs?: number; announcedBy: string[] }[] = [];
    for (const e of this.events) {
      if (e.event !== "+switch-master") continue;
      const same = out.find((f) => f.from === e.from && f.to === e.to && e.atMs - f.atMs < 30_000);
      if (same) {
        same.announcedBy.push(e.sentinel);
        continue;
      }
      const down = this.events.find((d) => d.event === "+odown" && d.node === e.from && d.atMs <= e.atMs);
      out.push({ from: e.from!, to: e.to!, atMs: e.atMs, downAtMs: down?.atMs, announcedBy: [e.sentinel] });
    }
    return out;
  }

  stop(): void {
    for (const r of this.subs) r.disconnect();
    this.subs.length = 0;
  }
}
