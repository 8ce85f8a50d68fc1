/**
 * `--backend compose`: the running compose layout (compose-layout.ts), nothing started or stopped.
 * Links live on the layout's own proxy container: the replication link its proxies.json made at
 * start, and a client link per region and node that a run adds (listening on one of the proxy's
 * published client ports, so the harness reaches it at 127.0.0.1) and removes again. The base
 * latency between regions is added on those links as on the other backends, so the same seed's
 * faults meet the same network. Node faults (kill, pause) go through Docker to the services'
 * containers (see the PostgreSQL driver's compose path).
 */
import type { TestConfig } from "../../config.ts";
import { applyBaseLatency } from "../../nemesis/link-faults.ts";
import { BASE_LATENCY_TOXIC } from "../../nemesis/proxy-links.ts";
import { type LinkSpec, regionPairKey, type RunningLink, type TopologySpec } from "../../topology.ts";
import type { Backend, BackendFactory, BackendOptions, NodeAddress, NodePlacement } from "../backend.ts";
import { BackendUnavailable } from "../backend.ts";
import { dockerUnavailableReason } from "../docker/docker-available.ts";
import type { ComposeLayout } from "./compose-layout.ts";

/** The port every node of the layout listens on inside its container (the layout's contract). */
export const COMPOSE_NODE_PORT = 5432;

/** Both directions of a link, as the base latency toxics are named per direction. */
const STREAMS = ["upstream", "downstream"] as const;

async function api(url: string, method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${url}${path}`, {
    method,
    headers: body === undefined ? undefined : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(5_000),
  });
}

export class ComposeBackend implements Backend {
  readonly name = "compose" as const;
  readonly net = "proxy" as const;
  readonly proxyListenHost = "127.0.0.1";

  constructor(
    readonly layout: ComposeLayout,
    private readonly config: TestConfig | undefined,
    private readonly log: (m: string) => void,
  ) {}

  placement(node: string): NodePlacement {
    throw new Error(
      `the compose backend places no node (${node} is a service of compose project ${this.layout.project})`,
    );
  }

  proxyAddressForNodes(listen: NodeAddress): NodeAddress {
    return listen;
  }

  async provideLinks(specs: LinkSpec[]): Promise<{ links: RunningLink[]; release(): Promise<void> }> {
    const url = this.layout.proxy.apiUrl;
    const res = await api(url, "GET", "/proxies");
    if (!res.ok) throw new Error(`compose proxy API ${url}: GET /proxies answered ${res.status}`);
    const existing = (await res.json()) as Record<string, { listen: string; upstream: string }>;
    const links: RunningLink[] = [];
    const created: string[] = [];
    const free = [...this.layout.proxy.clientPorts];
    const clientSpecs = specs.filter((s) => s.from.kind === "clients");
    if (clientSpecs.length > free.length) {
      throw new Error(
        `compose project ${this.layout.project}: the run needs ${clientSpecs.length} client links, the proxy publishes ` +
          `${free.length} client ports: publish more (127.0.0.1::2100N) on the proxy service in docker-compose.yml`,
      );
    }
    for (const spec of specs) {
      if (spec.from.kind === "clients") {
        const port = free.shift()!;
        const upstream = `${spec.to}:${COMPOSE_NODE_PORT}`;
        // A killed run may have left its proxy of the same name: replace it.
        if (existing[spec.name]) await api(url, "DELETE", `/proxies/${encodeURIComponent(spec.name)}`);
        const made = await api(url, "POST", "/proxies", {
          name: spec.name,
          listen: `0.0.0.0:${port.container}`,
          upstream,
          enabled: true,
        });
        if (!made.ok)
          throw new Error(
            `compose proxy: creating ${spec.name} failed (${made.status}: ${await made.text()})`,
          );
        created.push(spec.name);
        links.push({
          spec,
          listenHost: "127.0.0.1",
          listenPort: port.host,
          upstream,
          apiUrl: url,
          proxyName: spec.name,
        });
      } else {
        const have = existing[spec.name];
        if (!have) {
          throw new Error(
            `compose project ${this.layout.project}: no proxy '${spec.name}' on its proxy; the layout's ` +
              "docker/compose/proxies.json must declare every node-to-node link the scenario has",
          );
        }
        // Whatever an earlier (killed) run left on it goes: toxics, a disabled proxy.
        await api(url, "POST", `/proxies/${encodeURIComponent(spec.name)}`, { enabled: true });
        const toxics = (await (
          await api(url, "GET", `/proxies/${encodeURIComponent(spec.name)}/toxics`)
        ).json()) as { name: string }[];
        for (const t of toxics)
          await api(
            url,
            "DELETE",
            `/proxies/${encodeURIComponent(spec.name)}/toxics/${encodeURIComponent(t.name)}`,
          );
        const [host, port] = [
          have.listen.slice(0, have.listen.lastIndexOf(":")),
          have.listen.slice(have.listen.lastIndexOf(":") + 1),
        ];
        links.push({
          spec,
          // The node dials the proxy service by name (docker/compose/pg-node.sh's upstream).
          listenHost: host === "0.0.0.0" || host === "" ? "proxy" : host,
          listenPort: Number(port),
          upstream: have.upstream,
          apiUrl: url,
          proxyName: spec.name,
        });
      }
    }
    const delayed = await applyBaseLatency({ proxyUrl: url, topology: this.latencyTopology(specs), links });
    this.log(
      `compose project ${this.layout.project}: ${links.length} links on its proxy, ${delayed} with cross-region latency`,
    );
    return {
      links,
      release: async () => {
        for (const name of created)
          await api(url, "DELETE", `/proxies/${encodeURIComponent(name)}`).catch(() => {});
        for (const l of links.filter((x) => !created.includes(x.spec.name))) {
          for (const stream of STREAMS) {
            await api(
              url,
              "DELETE",
              `/proxies/${encodeURIComponent(l.spec.name)}/toxics/${BASE_LATENCY_TOXIC}-${stream}`,
            ).catch(() => {});
          }
        }
      },
    };
  }

  /** The run's latency between every pair of regions the links join (the topology has none: links are provided). */
  private latencyTopology(specs: LinkSpec[]): TopologySpec {
    const latencyMs = this.config?.latencyMs ?? 0;
    const jitterMs = this.config?.jitterMs ?? 0;
    const latency: TopologySpec["latency"] = {};
    for (const s of specs) {
      if (s.from.region !== s.toRegion)
        latency[regionPairKey(s.from.region, s.toRegion)] = { latencyMs, jitterMs };
    }
    return { regions: [], nodes: [], links: specs, latency };
  }

  async dispose(): Promise<void> {
    // Nothing was started: the layout stays up for the next run (links were released by the assembler).
  }
}

export const composeBackend: BackendFactory = {
  name: "compose",
  description: "the running layout of the top-level docker-compose.yml (docker compose up -d first)",
  async preflight() {
    const reason = await dockerUnavailableReason();
    if (reason) throw new BackendUnavailable(`--backend compose: ${reason}`);
    const { findComposeLayout, ComposeLayoutMissing } = await import("./compose-layout.ts");
    try {
      await findComposeLayout();
    } catch (e) {
      if (e instanceof ComposeLayoutMissing) throw new BackendUnavailable(`--backend compose: ${e.message}`);
      throw e;
    }
  },
  async reap() {
    return 0; // nothing of a run outlives it but client proxies, which the next run replaces
  },
  async create(opts: BackendOptions) {
    const { findComposeLayout } = await import("./compose-layout.ts");
    return new ComposeBackend(await findComposeLayout(), opts.config, opts.log);
  },
};

export function isComposeBackend(b: Backend): b is ComposeBackend {
  return b.name === "compose";
}
