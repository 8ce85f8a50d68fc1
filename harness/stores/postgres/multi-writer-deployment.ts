/**
 * The multi-writer layout running: every node a primary that publishes its tables and subscribes
 * to every other node (logical replication, `origin = none` so a change never loops back), each
 * subscription dialling its publisher through the proxy of the link subscriber -> publisher.
 *
 * As a StoreDeployment: clients on any node; lag probes for every ordered node pair; quiesce by
 * markers (a row written on each node after healing must show on every other); final states read
 * straight from each node; and at the end the conflict counters PostgreSQL keeps per subscription
 * (`pg_stat_subscription_stats.confl_*`, needs track_commit_timestamp) plus, under last-writer-wins,
 * the remote versions the trigger threw away.
 */
import type { FinalStates, NodeState } from "../../../checkers/divergence.ts";
import type { MetricsWriter } from "../../metrics-writer.ts";
import { sleep } from "../../sleep.ts";
import type { BoundClient, DeployedNode, Quiesced, StoreDeployment } from "../store-driver.ts";
import {
  startConflictProbe,
  type ConflictSignal,
  type LwwDiscard,
  readConflictCounters,
  summarizeConflicts,
} from "./conflict-counters.ts";
import type { MultiWriterTable } from "./multi-writer-tables.ts";
import { NodeConnections } from "./node-connections.ts";
import type { PostgresDeployment } from "./postgres-deployment.ts";
import type { RunningPostgresNode } from "./postgres-node.ts";
import { startLagProbe } from "./replication-lag-probe.ts";

/** One subscription: `subscriber` applies what `publisher` writes. */
export interface Subscription {
  name: string;
  publisher: RunningPostgresNode;
  subscriber: RunningPostgresNode;
}

/** Probe and marker rows share faultline_probes; each writer gets its own id range so two nodes
 *  never insert the same id (an insert_exists conflict would stop replication). */
const ID_RANGE = 1_000_000_000;
export const probeIdBase = (pairIndex: number) => (pairIndex + 1) * ID_RANGE;
const markerIdBase = (nodeIndex: number) => (1000 + nodeIndex) * ID_RANGE;

export class MultiWriterDeployment implements StoreDeployment {
  readonly nodes: Map<string, DeployedNode>;
  private markers = 0;

  constructor(
    private readonly pg: PostgresDeployment,
    private readonly members: RunningPostgresNode[],
    readonly subscriptions: Subscription[],
    private readonly table: MultiWriterTable,
    private readonly lastWriterWins: boolean,
  ) {
    this.nodes = new Map(
      members.map((n) => [n.name, Object.assign(n, { address: { host: n.host, port: n.port } })]),
    );
  }

  openClient(
    workload: string,
    address: (node: string) => { host: string; port: number },
    timeoutMs: number,
  ): BoundClient {
    void workload; // the table was chosen for the scenario's workload at deploy time
    const connections = new NodeConnections((node) => {
      const a = address(node);
      return this.pg.node(node).connectionVia(a.host, a.port);
    }, timeoutMs);
    return {
      at: (node) => this.table.client(connections.on(node), node),
      close: async () => connections.close(),
    };
  }

  /** Replication lag of every subscription (time to visibility of a probe row), and PostgreSQL's
   *  conflict counters over time by region pair (metrics `conflicts`, charted in the report). */
  startProbes(metrics: MetricsWriter) {
    const probes = [
      startConflictProbe(this.subscriptions, metrics),
      ...this.subscriptions.map((s, i) =>
        startLagProbe(
          {
            primary: s.publisher.connection,
            standby: s.subscriber.connection,
            from: s.publisher.spec.region,
            to: s.subscriber.spec.region,
            idBase: probeIdBase(i),
          },
          metrics,
        ),
      ),
    ];
    // The table's own background work (a reconciliation queue's resolver) runs alongside.
    const background = this.table.background?.(this.members);
    return {
      stop: async () => {
        await background?.stop();
        await Promise.all(probes.map((p) => p.stop()));
      },
    };
  }

  /** Writes a marker on every node and waits until each shows on every other node. */
  async quiesce(timeoutMs: number): Promise<Quiesced> {
    // Whatever waits for a person is resolved first, so the regions can converge.
    await this.table.drain?.(this.members, timeoutMs / 2);
    const started = performance.now();
    const deadline = started + timeoutMs;
    const round = ++this.markers;
    const pending = new Set(this.subscriptions);
    const ids = new Map<RunningPostgresNode, number>();
    try {
      for (const [i, n] of this.members.entries()) {
        const id = markerIdBase(i) + round;
        await n.query("INSERT INTO faultline_probes (id) VALUES ($1)", [id], 5_000);
        ids.set(n, id);
      }
    } catch (err) {
      return { settled: false, detail: `cannot write a quiesce marker: ${(err as Error).message}` };
    }
    let last = "";
    while (pending.size > 0 && performance.now() < deadline) {
      for (const s of [...pending]) {
        try {
          const r = await s.subscriber.query(
            "SELECT 1 FROM faultline_probes WHERE id = $1",
            [ids.get(s.publisher)],
            5_000,
          );
          if (r.rows.length > 0) pending.delete(s);
          else last = `${s.subscriber.name} has not applied ${s.publisher.name}'s marker yet`;
        } catch (err) {
          last = `${s.subscriber.name}: ${(err as Error).message}`;
        }
      }
      if (pending.size > 0) await sleep(100);
    }
    const ms = Math.round(performance.now() - started);
    return pending.size === 0
      ? { settled: true, detail: `every node applied every other node's changes (markers seen in ${ms} ms)` }
      : { settled: false, detail: `after ${ms} ms: ${last}` };
  }

  async readFinalState(): Promise<FinalStates> {
    const states = await Promise.all(
      this.members.map(async (n): Promise<NodeState> => {
        try {
          const r = await n.query<{ key: string; value: unknown }>(this.table.stateQuery, [], 10_000);
          const state: Record<string, unknown> = {};
          for (const row of r.rows) state[String(row.key)] = this.table.value(row.value);
          return { node: n.name, region: n.spec.region, state };
        } catch (err) {
          return { node: n.name, region: n.spec.region, error: (err as Error).message };
        }
      }),
    );
    return { nodes: states, groups: [this.members.map((n) => n.name)] };
  }

  /** `conflicts` from PostgreSQL's counters (and, under last-writer-wins, the discarded versions). */
  async finalSignals(): Promise<Record<string, unknown>> {
    const conflicts: ConflictSignal = summarizeConflicts(
      await this.stableCounters(),
      this.lastWriterWins ? await this.discards() : undefined,
    );
    return { conflicts, ...(await this.table.finalSignals?.(this.members)) };
  }

  /**
   * The apply workers publish their counters to the statistics system at most once a second, so
   * read until two reads a little over a second apart agree (a marker round keeps them busy).
   */
  private async stableCounters() {
    let previous = await readConflictCounters(this.subscriptions);
    for (let i = 0; i < 8; i++) {
      await this.quiesce(5_000);
      await sleep(1_100);
      const now = await readConflictCounters(this.subscriptions);
      if (JSON.stringify(now) === JSON.stringify(previous)) return now;
      previous = now;
    }
    return previous;
  }

  /** Every remote version the last-writer-wins trigger threw away, on every node. */
  private async discards() {
    const out: LwwDiscard[] = [];
    for (const n of this.members) {
      const r = await n.query<Record<string, unknown>>(
        `SELECT tbl, key, lost_value, to_char(lost_at AT TIME ZONE 'UTC', 'HH24:MI:SS.US') AS lost_at, lost_by,
                kept_value, to_char(kept_at AT TIME ZONE 'UTC', 'HH24:MI:SS.US') AS kept_at, kept_by
           FROM faultline_lww_discards ORDER BY id`,
        [],
        10_000,
      );
      const num = (v: unknown) => (v === null ? null : Number(v));
      for (const row of r.rows) {
        out.push({
          node: n.name,
          table: String(row.tbl),
          key: Number(row.key),
          lost: { value: num(row.lost_value), at: String(row.lost_at), by: String(row.lost_by) },
          keptBy: { value: num(row.kept_value), at: String(row.kept_at), by: String(row.kept_by) },
        });
      }
    }
    return out;
  }

  async stop(): Promise<void> {
    await this.pg.stop();
  }
}
