/**
 * The external backend (`--backend external --deployment FILE`): stores faultline did not start,
 * faulted through the Toxiproxy servers in front of them. Nothing is started or stopped. What the
 * deployment offers bounds what a run may do, and everything is checked before anything is
 * touched: the file (fields named), the store it speaks against the scenario's, every Toxiproxy API
 * answering, credentials readable, and every planned fault either acting on a declared link or
 * backed by the node's hook (kill, pause, promote).
 */
import { Toxiproxy } from "toxiproxy-node-client";
import { ConfigError, type TestConfig } from "../../config.ts";
import { CutSet, linkCuts } from "../../nemesis/cuts.ts";
import { linksBetween } from "../../nemesis/link-faults.ts";
import { cutsForShape } from "../../nemesis/shapes.ts";
import type { ScheduledFault } from "../../nemesis/spec.ts";
import { findScenario } from "../../scenarios/index.ts";
import type { LinkSpec, TopologySpec } from "../../topology.ts";
import type { Backend, BackendFactory, BackendOptions, NodeAddress, NodePlacement } from "../backend.ts";
import {
  type Deployment,
  deploymentLayout,
  deploymentTopology,
  loadDeployment,
  readSecret,
  tlsOptions,
} from "./deployment-file.ts";
import { HOOKS_FOR_FAULT } from "./hooks.ts";
import { provideRemoteLinks } from "./remote-links.ts";

const API_TIMEOUT_MS = 3000;

function deploymentOf(config: Pick<TestConfig, "deployment">): Deployment {
  if (!config.deployment)
    throw new ConfigError(
      "--backend external needs --deployment FILE (see the README: 'Your own deployment')",
    );
  return loadDeployment(config.deployment);
}

/** A running external deployment as the store drivers see it. */
export class ExternalBackend implements Backend {
  readonly name = "external" as const;
  readonly net = "proxy" as const;
  readonly proxyListenHost = "127.0.0.1";

  constructor(
    readonly deployment: Deployment,
    private readonly log: (m: string) => void,
  ) {}

  placement(node: string): NodePlacement {
    throw new Error(`the external backend places no node (${node} runs where the deployment says)`);
  }

  proxyAddressForNodes(listen: NodeAddress): NodeAddress {
    return listen;
  }

  provideLinks(specs: LinkSpec[]) {
    return provideRemoteLinks(this.deployment, specs, this.log);
  }

  /** Credentials from the environment or files, read now; never stored in the config. */
  credentials(): { user?: string; password?: string; database?: string; ssl?: Record<string, unknown> } {
    const c = this.deployment.credentials;
    return {
      user: readSecret(c.user, "user"),
      password: readSecret(c.password, "password"),
      database: c.database,
      ssl: tlsOptions(this.deployment),
    };
  }

  async dispose(): Promise<void> {
    // Nothing was started; links and toxics are released by the assembler and the nemesis.
  }
}

export const externalBackend: BackendFactory = {
  name: "external",
  description: "a deployment you run, described in --deployment FILE (nothing started or stopped)",
  async preflight() {},
  async reap() {
    return 0;
  },
  world(config) {
    const d = deploymentOf(config);
    const scenario = findScenario(config.scenario);
    if (scenario.store !== d.store)
      throw new ConfigError(
        `deployment store '${d.store}' does not match scenario ${scenario.name}, which tests ${scenario.store}`,
      );
    return { layout: deploymentLayout(d), topology: deploymentTopology(d) };
  },
  async checkPlan(config, topology, schedule) {
    const d = deploymentOf(config);
    const problems: string[] = [];
    await Promise.all(
      Object.entries(d.toxiproxies).map(async ([name, { url }]) => {
        try {
          await withTimeout(new Toxiproxy(url.replace(/\/+$/, "")).getVersion(), API_TIMEOUT_MS);
        } catch (e) {
          problems.push(
            `toxiproxies.${name}.url: no Toxiproxy API answers at ${url} (${(e as Error).message})`,
          );
        }
      }),
    );
    try {
      new ExternalBackend(d, () => {}).credentials();
    } catch (e) {
      problems.push((e as Error).message);
    }
    schedule.forEach((f, i) => {
      const why = whyNotOnDeployment(d, topology, f);
      if (why) problems.push(`schedule[${i}] (${f.spec.kind}): ${why}`);
    });
    return problems;
  },
  async create(opts: BackendOptions) {
    if (!opts.config) throw new Error("the external backend needs the run's config");
    return new ExternalBackend(deploymentOf(opts.config), opts.log);
  },
};

/** Why the deployment cannot carry out this fault, or undefined when it can. */
function whyNotOnDeployment(d: Deployment, topology: TopologySpec, f: ScheduledFault): string | undefined {
  const spec = f.spec as unknown as Record<string, unknown> & { kind: string };
  const hooks = HOOKS_FOR_FAULT[spec.kind];
  if (hooks) {
    const node = String(spec.kind === "failover" ? spec.to : spec.node);
    const n = d.nodes.find((x) => x.name === node);
    const missing = hooks.filter((h) => !n?.hooks[h]);
    return missing.length
      ? `needs the ${missing.join(" and ")} hook(s) for node ${node} in the deployment file (nodes[].hooks)`
      : undefined;
  }
  if (spec.kind === "partition") {
    const cuts: CutSet = cutsForShape(topology, spec as never);
    return linkCuts(cuts, topology.links).length === 0
      ? "cuts no link the deployment declares: add the links it needs (with their Toxiproxy server) under links"
      : undefined;
  }
  if (spec.kind === "latency" || spec.kind === "bandwidth" || spec.kind === "replication-backlog") {
    const [a, b] = (spec.regions as string[] | undefined) ?? [];
    if (a && b && linksBetween(asRunning(topology.links), a, b).length === 0)
      return `no declared link between ${a} and ${b}`;
    return undefined;
  }
  if (spec.kind === "clock") return "clock faults cannot reach a deployment faultline did not start";
  return undefined;
}

const asRunning = (links: LinkSpec[]) =>
  links.map((spec) => ({ spec, listenHost: "", listenPort: 0, upstream: "" }));

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let t: NodeJS.Timeout;
  return Promise.race([
    p,
    new Promise<never>((_, rej) => {
      t = setTimeout(() => rej(new Error(`no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(t));
}
