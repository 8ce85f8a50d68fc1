/**
 * The `sentinel` layout as a `StoreDeployment`: clients per process (process-connections.ts), the
 * failover watch and lag probe while the workload runs, the quiesce after healing (one master that
 * every Sentinel names, every other server its replica, caught up to its offset), the final states
 * of every data node read directly, and at the end the failovers Sentinel made and the writes
 * that a master acknowledged after the Sentinels had replaced it.
 */
import type { FinalStates, NodeState } from "../../../checkers/divergence.ts";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { NodeAddress } from "../../backends/backend.ts";
import type { MetricsWriter } from "../../metrics-writer.ts";
import { runFolderPaths, writeJson } from "../../run-folder.ts";
import { sleep } from "../../sleep.ts";
import type { BoundClient, DeployedNode, Quiesced, StoreDeployment } from "../store-driver.ts";
import { parseInfo, withDirect } from "./direct-connection.ts";
import { FailoverWatch } from "./failover-watch.ts";
import { type AckedWrite, ProcessConnections } from "./process-connections.ts";
import { MASTER_NAME } from "./redis-config.ts";
import { startRedisLagProbe } from "./replication-lag-probe.ts";
import type { SentinelCluster } from "./sentinel-cluster.ts";
import type { SentinelOptions } from "./sentinel-options.ts";
import { redisWorkload } from "./workload-clients.ts";

/** How many demoted-master writes the signal lists one by one (all of them are in the file). */
const LISTED_WRITES = 50;

/** In the run folder: every acknowledged write with the node that acknowledged it, every Sentinel
 *  event, the failovers. */
export const SENTINEL_WRITES_FILE = "sentinel-writes.json";

export class SentinelDeployment implements StoreDeployment {
  readonly nodes: Map<string, DeployedNode>;
  private readonly acks: AckedWrite[] = [];
  /** performance.now() at the history's time 0 (set when probes start with the workload). */
  private t0 = performance.now();
  private readonly watch: FailoverWatch;

  constructor(
    private readonly cluster: SentinelCluster,
    private readonly options: SentinelOptions,
    private readonly runDir: string,
  ) {
    this.nodes = new Map<string, DeployedNode>([...cluster.servers, ...cluster.sentinels]);
    this.watch = new FailoverWatch(cluster, () => this.now());
  }

  private now(): number {
    return Math.round(performance.now() - this.t0);
  }

  /** Subscribes to the Sentinels' events before clients start. */
  async watchFailovers(): Promise<void> {
    await this.watch.start();
  }

  openClient(workload: string, address: (node: string) => NodeAddress, timeoutMs: number): BoundClient {
    const w = redisWorkload(workload);
    const conns = new ProcessConnections({
      password: this.cluster.password,
      servers: [...this.cluster.servers.keys()],
      sentinels: [...this.cluster.sentinels.keys()],
      address,
      nodeAt: this.cluster.nodeAt,
      timeoutMs,
      options: this.options,
      onAck: (a) => this.acks.push(a),
      now: () => this.now(),
    });
    // `at(node)`: reads on that node; writes always on the master Sentinel names.
    return {
      at: (node) => w.client(conns, node),
      // The history names the master that acknowledged a write, not the router's primary.
      servedBy: () => conns.servedBy(),
      close: async () => conns.close(),
    };
  }

  startProbes(metrics: MetricsWriter) {
    // Probes start with the workload, at the history's time 0: acknowledgements and Sentinel
    // events are timed on the same clock (to within a millisecond).
    this.t0 = performance.now();
    this.watch.metrics = metrics;
    return startRedisLagProbe(this.cluster, metrics);
  }

  async quiesce(timeoutMs: number): Promise<Quiesced> {
    const started = performance.now();
    let last = "";
    while (performance.now() - started < timeoutMs) {
      const r = await this.converged();
      if (r.ok)
        return { settled: true, detail: `${r.detail} after ${Math.round(performance.now() - started)} ms` };
      last = r.detail;
      await sleep(200);
    }
    return { settled: false, detail: `after ${timeoutMs} ms: ${last}` };
  }

  /** One master named by every Sentinel; every other data node its replica, link up, caught up. */
  private async converged(): Promise<{ ok: boolean; detail: string }> {
    const { password } = this.cluster;
    const named = new Set<string>();
    for (const [name, s] of this.cluster.sentinels) {
      try {
        const [host, port] = (await withDirect(s.address, { password, timeoutMs: 1000 }, (r) =>
          r.call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER_NAME),
        )) as [string, string];
        named.add(this.cluster.nodeAt(`${host}:${port}`) ?? `${host}:${port}`);
      } catch (err) {
        return { ok: false, detail: `Sentinel ${name}: ${(err as Error).message}` };
      }
    }
    if (named.size !== 1)
      return { ok: false, detail: `Sentinels name different masters: ${[...named].join(", ")}` };
    const master = [...named][0]!;
    const infos = new Map<string, Map<string, string>>();
    for (const [name, n] of this.cluster.servers) {
      try {
        infos.set(
          name,
          parseInfo(await withDirect(n.address, { password, timeoutMs: 1000 }, (r) => r.info("replication"))),
        );
      } catch (err) {
        return { ok: false, detail: `${name}: ${(err as Error).message}` };
      }
    }
    const m = infos.get(master);
    if (m?.get("role") !== "master")
      return { ok: false, detail: `Sentinels name ${master}, which says role:${m?.get("role")}` };
    const target = Number(m.get("master_repl_offset"));
    for (const [name, i] of infos) {
      if (name === master) continue;
      if (i.get("role") !== "slave")
        return { ok: false, detail: `${name} is still role:${i.get("role")} (master is ${master})` };
      // The master as its peers know it (its address, or its name in containers), not as we dial it.
      if (this.cluster.nodeAt(`${i.get("master_host")}:${i.get("master_port")}`) !== master)
        return {
          ok: false,
          detail: `${name} follows ${i.get("master_host")}:${i.get("master_port")}, not ${master}`,
        };
      if (i.get("master_link_status") !== "up")
        return { ok: false, detail: `${name}'s link to ${master} is down` };
      if (Number(i.get("slave_repl_offset")) < target)
        return { ok: false, detail: `${name} at offset ${i.get("slave_repl_offset")} of ${target}` };
    }
    return {
      ok: true,
      detail: `every Sentinel names ${master}; every other server replicates it up to offset ${target}`,
    };
  }

  async readFinalState(workload: string): Promise<FinalStates> {
    const w = redisWorkload(workload);
    const nodes = await Promise.all(
      [...this.cluster.servers.values()].map(async (n): Promise<NodeState> => {
        try {
          const state = await withDirect(
            n.address,
            { password: this.cluster.password, timeoutMs: 10_000 },
            (r) => w.readState(r),
          );
          return { node: n.name, region: n.spec.region, state };
        } catch (err) {
          return { node: n.name, region: n.spec.region, error: (err as Error).message };
        }
      }),
    );
    return { nodes, groups: [[...this.cluster.servers.keys()]] };
  }

  /**
   * `sentinel`: the failovers (when the master went down for a quorum, when it was switched), the
   * acknowledged writes per node, and the writes a master acknowledged after a failover had
   * replaced it (those are the ones a demoted master drops when it rejoins as a replica).
   */
  async finalSignals(): Promise<Record<string, unknown>> {
    this.watch.stop();
    const failovers = this.watch.failovers();
    const byNode: Record<string, number> = {};
    for (const a of this.acks) byNode[a.node] = (byNode[a.node] ?? 0) + 1;
    const demoted = this.acks.filter((a) => failovers.some((f) => f.from === a.node && a.atMs >= f.atMs));
    writeJson(join(this.runDir, SENTINEL_WRITES_FILE), {
      failovers,
      events: this.watch.events,
      acknowledgedWrites: this.acks,
      writesToDemotedMaster: demoted,
    });
    return {
      failover: this.failoverTimes(failovers),
      sentinel: {
        failovers: failovers.map((f) => ({
          ...f,
          downToSwitchMs: f.downAtMs === undefined ? null : f.atMs - f.downAtMs,
          // The first write the new master acknowledged: when clients had followed the failover.
          firstWriteOnNewMasterAtMs: this.acks.find((a) => a.node === f.to && a.atMs >= f.atMs)?.atMs ?? null,
        })),
        acknowledgedWritesByNode: byNode,
        writesToDemotedMaster: {
          count: demoted.length,
          firstAtMs: demoted[0]?.atMs ?? null,
          lastAtMs: demoted.at(-1)?.atMs ?? null,
          file: SENTINEL_WRITES_FILE,
          writes: demoted.slice(0, LISTED_WRITES),
        },
        convertedToReplica: this.watch.events
          .filter((e) => e.event === "+convert-to-slave")
          .map((e) => ({ node: e.node, atMs: e.atMs, sentinel: e.sentinel })),
      },
    };
  }

  /**
   * Sentinel's failovers in the shape of the run's `failover` signal (what `--slo-failover`
   * judges): from the start of the fault that brought the master down (the last fault that began
   * before the switch) to the first write the new master acknowledged. signals.ts computes this only for failovers the nemesis makes itself.
   */
  private failoverTimes(failovers: { to: string; atMs: number }[]) {
    const faults: number[] = [];
    try {
      for (const line of readFileSync(runFolderPaths(this.runDir).history, "utf8").split("\n")) {
        if (!line.includes('"nemesis"')) continue;
        const op = JSON.parse(line) as {
          process?: unknown;
          phase?: unknown;
          error?: unknown;
          time?: unknown;
          plannedMs?: unknown;
        };
        if (op.process !== "nemesis" || op.phase !== "start" || op.error) continue;
        // The op is recorded once the fault is in place (cutting many node pairs takes seconds);
        // the fault began at its planned offset, as signals.ts counts nemesis failovers.
        if (typeof op.plannedMs === "number") faults.push(op.plannedMs);
        else if (typeof op.time === "number") faults.push(op.time / 1e6);
      }
    } catch {
      // no history to line the faults up with: the sentinel signal still has the times
    }
    return failovers.map((f) => {
      const start = faults.filter((t) => t <= f.atMs).at(-1);
      const first = this.acks.find((a) => a.node === f.to && a.atMs >= f.atMs);
      return {
        to: f.to,
        startedAtMs: start === undefined ? null : Math.round(start),
        firstWriteAfterMs: start === undefined || !first ? null : Math.round(first.atMs - start),
      };
    });
  }

  async stop(): Promise<void> {
    this.watch.stop();
    await this.cluster.stop();
  }
}
