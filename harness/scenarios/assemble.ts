/**
 * The one generic assembler: scenario data + a store driver + a backend -> a running world.
 *
 * `topologyFor` (pure) lays out the links: every region's clients to every node (a failover or a
 * routing change may send them anywhere) and, where the store dials its peers at configured
 * addresses and the run does not cut at packet level, one proxy per node-to-node link the driver
 * names. `assemble` deploys through the driver (handing it `dial` for those links), puts the client
 * proxies in front of the started nodes, applies the base latency, and returns what the runner
 * drives: a client per process whose operations the router places, by the workload's own word on
 * whether an op only reads.
 */
import type { NetMode, Backend, BackendName, NodeAddress } from "../backends/backend.ts";
import { ConfigError, type TestConfig } from "../config.ts";
import { createLinks, deleteLinks, findLink } from "./links.ts";
import type { MetricsWriter } from "../metrics-writer.ts";
import { applyBaseLatency } from "../nemesis/link-faults.ts";
import type { NodeControl } from "../nemesis/fault.ts";
import { homeRegion } from "./home-region.ts";
import { Router } from "../nemesis/router.ts";
import type { RunFolder } from "../run-folder.ts";
import { findStore } from "../stores/index.ts";
import type { BoundClient, Quiesced, StoreDeployment, StoreDriver } from "../stores/store-driver.ts";
import {
  type LinkSpec,
  linkName,
  type NodeSpec,
  type RegionName,
  regionPairKey,
  type RunningLink,
  type TopologySpec,
} from "../topology.ts";
import type { FinalStates } from "../../checkers/divergence.ts";
import type { Workload, WorkloadOp } from "../../workloads/workload.ts";
import type { CheckerSpec, ReadPolicy, Scenario } from "./scenario.ts";

/** Whether node-to-node links get proxies in this run. */
export function proxiesPeers(driver: StoreDriver, net: NetMode): boolean {
  return driver.peerFaults === "proxy" && net === "proxy";
}

/** The scenario's world as data: nodes, proxied links, base latency between every region pair. */
export function topologyFor(
  scenario: Scenario,
  config: Pick<TestConfig, "latencyMs" | "jitterMs"> & Partial<Pick<TestConfig, "backend">>,
  net: NetMode = "proxy",
): TopologySpec {
  const driver = findStore(scenario.store);
  const refused = readPolicyProblem(scenario, config.backend as BackendName | undefined);
  if (refused) throw new ConfigError(`${scenario.name}: ${refused}`);
  const layout = scenario.layoutSpec;
  const nodes: NodeSpec[] = layout.nodes.map((n) => ({ ...n, store: scenario.store as NodeSpec["store"] }));
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const links: LinkSpec[] = [];
  for (const region of layout.regions) {
    // Own region's nodes first: a reader finds the local link at the top.
    const ordered = [
      ...nodes.filter((n) => n.region === region),
      ...nodes.filter((n) => n.region !== region),
    ];
    for (const to of ordered) {
      const from = { kind: "clients", region } as const;
      links.push({ name: linkName(from, to.name), kind: "client", from, to: to.name, toRegion: to.region });
    }
  }
  if (proxiesPeers(driver, net)) {
    for (const p of driver.peerLinks(layout)) {
      const a = byName.get(p.from);
      const b = byName.get(p.to);
      if (!a || !b)
        throw new Error(`store ${driver.name}: peer link ${p.from} -> ${p.to} names an unknown node`);
      const from = { kind: "node", node: a.name, region: a.region } as const;
      links.push({ name: linkName(from, b.name), kind: p.kind, from, to: b.name, toRegion: b.region });
    }
  }
  const latency: TopologySpec["latency"] = {};
  for (let i = 0; i < layout.regions.length; i++)
    for (let j = i + 1; j < layout.regions.length; j++)
      latency[regionPairKey(layout.regions[i]!, layout.regions[j]!)] = {
        latencyMs: config.latencyMs,
        jitterMs: config.jitterMs,
      };
  return { regions: layout.regions.map((name) => ({ name })), nodes, links, latency };
}

/** The checkers a run uses: the scenario's, with the run's search budget where none is set. */
export function checkersFor(scenario: Scenario, config: TestConfig): CheckerSpec[] {
  return scenario.checkers.map((c) =>
    c.name === "linearizable" && c.options.timeLimitMs === undefined
      ? { ...c, options: { ...c.options, timeLimitMs: config.checkTimeLimitS * 1000 } }
      : c,
  );
}

/** A client of a logical process, and which node each of its operations goes to. */
export interface ProcessClient<C = unknown, O extends WorkloadOp = WorkloadOp> {
  client: BoundClient<C>;
  nodeFor(op: O): string;
  /** Where the op is finally served, asked once it is invoked (so its cost is in the op's latency):
   *  read policy `pinned` sends a read to `node` only once it has caught up with the session. */
  resolve?(op: O, node: string): Promise<string>;
}

/** Why this scenario's read policy cannot be honoured on its layout and store, or undefined.
 *  Asked before anything starts (topologyFor). */
export function readPolicyProblem(scenario: Scenario, backend: BackendName = "local"): string | undefined {
  const { reads, writes } = scenario.routing;
  if (reads === "primary" && writes === "local")
    return (
      `reads 'primary' need one node that takes every write of a key; in ${scenario.name} every region's ` +
      "node takes writes (routing.writes 'local'), so a read there would only be a local read: use --reads local"
    );
  if (reads === "pinned") {
    const why = findStore(scenario.store).sessionTokens?.({
      layout: scenario.layoutSpec,
      workload: scenario.workload,
      options: scenario.storeOptions ?? {},
      backend,
    });
    const none = `store ${scenario.store} keeps no session tokens`;
    if (why !== undefined || !findStore(scenario.store).sessionTokens)
      return `reads 'pinned' need a session token (the position of a session's last write and read) ${scenario.name} cannot keep: ${why ?? none}`;
  }
  return undefined;
}

/** The scenario with its reads routed by `reads` (the `--reads` override), refused with the reason
 *  when its layout cannot honour it. */
export function withReadPolicy(scenario: Scenario, reads: ReadPolicy | undefined): Scenario {
  return reads === undefined || reads === scenario.routing.reads
    ? scenario
    : { ...scenario, routing: { ...scenario.routing, reads } };
}

export interface RunningScenario<C = unknown, O extends WorkloadOp = WorkloadOp> {
  links: RunningLink[];
  nodes: Map<string, NodeControl>;
  router: Router;
  workload: Workload<C, O>;
  checkers: CheckerSpec[];
  /** A fresh client (fresh connections) for process `process` in `region`. */
  openClient(region: RegionName, process: number): ProcessClient<C, O>;
  startProbes?(metrics: MetricsWriter): { stop(): Promise<void> };
  quiesce?(timeoutMs: number): Promise<Quiesced>;
  readFinalState?(): Promise<FinalStates>;
  finalSignals?(): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

export interface AssembleEnv {
  scenario: Scenario;
  config: TestConfig;
  topology: TopologySpec;
  workload: Workload<unknown, WorkloadOp>;
  backend: Backend;
  folder: RunFolder;
  proxyUrl: string;
  router: Router;
  nodeEnv(node: string): Record<string, string> | undefined;
  log(message: string): void;
}

export async function assemble(env: AssembleEnv): Promise<RunningScenario> {
  const { scenario, config, topology, backend } = env;
  const driver = findStore(scenario.store);
  const links: RunningLink[] = [];
  let deployment: StoreDeployment | undefined;
  // A user's own deployment brings its links (its Toxiproxy servers); otherwise we make them.
  const provided = await backend.provideLinks?.(topology.links);
  if (provided) links.push(...provided.links);
  const stopAll = async () => {
    if (provided) await provided.release();
    else await deleteLinks(env.proxyUrl, links);
    await deployment?.stop();
  };
  try {
    deployment = await driver.deploy({
      layout: scenario.layoutSpec,
      topology,
      options: scenario.storeOptions ?? {},
      workload: scenario.workload,
      config,
      backend,
      folder: env.folder,
      nodeEnv: env.nodeEnv,
      log: env.log,
      dial: async (from, to, target) => {
        const spec = topology.links.find(
          (l) => l.from.kind === "node" && l.from.node === from && l.to === to,
        );
        if (!spec) return target;
        const existing = links.find((l) => l.spec.name === spec.name);
        if (existing) return { host: existing.listenHost, port: existing.listenPort };
        const [link] = await createLinks(env.proxyUrl, [spec], () => target, backend.proxyListenHost);
        links.push(link!);
        return backend.proxyAddressForNodes({ host: link!.listenHost, port: link!.listenPort });
      },
    });
    const nodes = deployment.nodes;
    const addressOf = (name: string): NodeAddress => {
      const n = nodes.get(name);
      if (!n) throw new Error(`store ${driver.name} did not start node ${name}`);
      return n.address;
    };
    if (!provided) {
      links.push(
        ...(await createLinks(
          env.proxyUrl,
          topology.links.filter((l) => l.kind === "client"),
          addressOf,
        )),
      );
      const delayed = await applyBaseLatency({ proxyUrl: env.proxyUrl, topology, links });
      env.log(`${links.length} proxied links, ${delayed} with cross-region latency`);
    } else env.log(`${links.length} links through the deployment's Toxiproxy servers`);

    const { router, workload } = env;
    const dep = deployment;
    const timeoutMs = config.opTimeoutMs;
    const regions = topology.regions.map((r) => r.name);
    const openClient = (region: RegionName, process: number): ProcessClient => {
      const client = dep.openClient(
        scenario.workload,
        (node) => {
          const name = `client@${router.regionOf(process, region)}->${node}`;
          // Without a declared proxy (external backend), clients reach the node directly.
          const l = provided ? links.find((x) => x.spec.name === name) : findLink(links, name);
          return l ? { host: l.listenHost, port: l.listenPort } : addressOf(node);
        },
        timeoutMs,
        { session: scenario.routing.reads === "pinned", region: () => router.regionOf(process, region) },
      );
      const writeTarget = (op: WorkloadOp) => {
        switch (scenario.routing.writes) {
          case "local":
            return localNode(topology, router.regionOf(process, region));
          case "home":
            return localNode(topology, router.homeTarget(process, homeRegion(keyOf(op), regions), regions));
          default:
            return router.writeTarget(process, region);
        }
      };
      // Reads go to the node of the region the session is in now (a region switch moves it).
      const readTarget = (op: WorkloadOp) =>
        scenario.routing.reads === "primary"
          ? writeTarget(op)
          : router.readTarget(process, router.regionOf(process, region));
      const session = scenario.routing.reads === "pinned" ? client.session : undefined;
      return {
        client,
        nodeFor: (op) => (workload.readOnly(op) ? readTarget(op) : writeTarget(op)),
        resolve: session
          ? (op, node) => (workload.readOnly(op) ? session.readNode(node) : Promise.resolve(node))
          : undefined,
      };
    };
    return {
      links,
      nodes: new Map(nodes),
      router,
      workload,
      checkers: checkersFor(scenario, config),
      openClient,
      startProbes: dep.startProbes?.bind(dep),
      quiesce: dep.quiesce?.bind(dep),
      readFinalState: dep.readFinalState ? () => dep.readFinalState!(scenario.workload) : undefined,
      finalSignals: dep.finalSignals?.bind(dep),
      stop: stopAll,
    };
  } catch (err) {
    await stopAll().catch(() => {});
    throw err;
  }
}

/** An op's key, which home routing needs. */
function keyOf(op: WorkloadOp): number {
  if (typeof op.key !== "number")
    throw new Error(`routing writes to a key's home needs keyed operations; '${op.f}' has no key`);
  return op.key;
}

/** The first node of a region (its local node). */
function localNode(topology: TopologySpec, region: RegionName): string {
  const n = topology.nodes.find((x) => x.region === region);
  if (!n) throw new Error(`region ${region} has no node to write to`);
  return n.name;
}
