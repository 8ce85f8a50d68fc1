/**
 * Packet-level faults for stores whose peers learn each other's addresses by gossip (etcd, Galera,
 * Redis Sentinel) and so bypass per-link proxies. Each node gets its own network namespace with
 * one interface on a bridge; the bridge lives in a hub namespace of its own, so the host's network
 * is never touched. Addresses are the project's own (10.213.<subnet>.<n>/24) and exist only inside
 * these namespaces: traffic never leaves the machine.
 *
 * A partition is the same CutSet as on proxies: each cut pair `a -> b` becomes an nftables rule in
 * b's namespace dropping packets from a's address (so a one-way cut stays one-way). Delay and loss
 * are `tc netem` on a node's interface (where the kernel has it), or nftables random drops and
 * `tc tbf` where it does not. Root only.
 *
 *   hub ns  [ br0 ]--v0 ... veth ... eth0 [ ns of node 0, 10.213.S.1 ]
 *                  \-v1 ... veth ... eth0 [ ns of node 1, 10.213.S.2 ]
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { promisify } from "node:util";
import type { CutSet } from "../nemesis/cuts.ts";
import type { PacketNetwork } from "../nemesis/fault.ts";

const run = promisify(execFile);

export class NetnsError extends Error {
  override name = "NetnsError";
}

const TOOLS = {
  ip: { paths: ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip"], pkg: "iproute2" },
  nft: { paths: ["/usr/sbin/nft", "/sbin/nft", "/usr/bin/nft"], pkg: "nftables" },
  tc: { paths: ["/usr/sbin/tc", "/sbin/tc", "/usr/bin/tc"], pkg: "iproute2" },
} as const;

function tool(name: keyof typeof TOOLS): string {
  const t = TOOLS[name];
  const found = t.paths.find((p) => existsSync(p));
  if (!found) {
    throw new NetnsError(
      `packet-level faults need '${name}', which is not installed: apt-get install ${t.pkg}`,
    );
  }
  return found;
}

/** Throws a clear error unless packet-level faults can work here (root, ip, nft, tc). */
export function requirePacketFaults(): void {
  if (typeof process.getuid === "function" && process.getuid() !== 0) {
    throw new NetnsError(
      "packet-level faults (network namespaces, nftables, tc netem) need root: run faultline as root, or use a store whose links go through proxies",
    );
  }
  tool("ip");
  tool("nft");
  tool("tc");
}

async function sh(cmd: string, args: string[], what: string): Promise<string> {
  try {
    const { stdout } = await run(cmd, args, { timeout: 15_000 });
    return stdout;
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new NetnsError(`${what} failed: ${cmd} ${args.join(" ")}: ${(err.stderr || err.message).trim()}`);
  }
}

export interface NetemOptions {
  delayMs?: number;
  jitterMs?: number;
  lossPercent?: number;
}

export interface NamespaceNetworkOptions {
  /** Short id (letters/digits, at most 6) naming the namespaces `fl<id>-...`. */
  id: string;
  nodes: readonly string[];
  /** Third octet of 10.213.<subnet>.0/24; pick distinct ones for networks that exist at once. */
  subnet: number;
  /**
   * Connect the harness's own namespace to the bridge (a veth `fl<id>-gw` with address
   * 10.213.<subnet>.254), so its proxies can reach the nodes. Off by default: the host's network is
   * then not touched at all. The host end goes away with the hub namespace.
   */
  gateway?: boolean;
}

/** The harness's address on the bridge when the network was created with `gateway`. */
export const GATEWAY_HOST_OCTET = 254;

export class NamespaceNetwork implements PacketNetwork {
  readonly hub: string;
  private readonly namespaces = new Map<string, string>();
  private readonly addresses = new Map<string, string>();
  private readonly tagsIn = new Map<string, Set<string>>();
  private destroyed = false;

  private constructor(
    readonly id: string,
    readonly nodes: readonly string[],
    readonly subnet: number,
  ) {
    this.hub = `fl${id}-hub`;
    nodes.forEach((n, i) => {
      this.namespaces.set(n, `fl${id}-${i}`);
      this.addresses.set(n, `10.213.${subnet}.${i + 1}`);
    });
  }

  /** Creates the namespaces, bridge and veths. On failure, removes what it made and throws. */
  static async create(opts: NamespaceNetworkOptions): Promise<NamespaceNetwork> {
    requirePacketFaults();
    if (!/^[a-z0-9]{1,6}$/.test(opts.id))
      throw new NetnsError(`netns id must be 1-6 lowercase letters/digits, got '${opts.id}'`);
    if (!Number.isInteger(opts.subnet) || opts.subnet < 0 || opts.subnet > 255) {
      throw new NetnsError(`netns subnet must be 0..255, got ${opts.subnet}`);
    }
    if (opts.nodes.length === 0 || opts.nodes.length > 250) throw new NetnsError("netns: need 1..250 nodes");
    if (opts.nodes.length >= GATEWAY_HOST_OCTET) throw new NetnsError("netns: need fewer than 254 nodes");
    const net = new NamespaceNetwork(opts.id, opts.nodes, opts.subnet);
    try {
      await net.build();
      if (opts.gateway) await net.addGateway();
    } catch (e) {
      await net.destroy();
      throw e;
    }
    return net;
  }

  private async build(): Promise<void> {
    const ip = tool("ip");
    const existing = await sh(ip, ["netns", "list"], "listing namespaces");
    if (existing.split("\n").some((l) => l.split(" ")[0] === this.hub)) {
      throw new NetnsError(
        `network namespace ${this.hub} already exists (a previous run not cleaned up?): ip netns del ${this.hub}`,
      );
    }
    await sh(ip, ["netns", "add", this.hub], "creating hub namespace");
    await sh(ip, ["-n", this.hub, "link", "add", "br0", "type", "bridge"], "creating bridge");
    await sh(ip, ["-n", this.hub, "link", "set", "br0", "up"], "bringing bridge up");
    let i = 0;
    for (const node of this.nodes) {
      const ns = this.namespaces.get(node)!;
      await sh(ip, ["netns", "add", ns], `creating namespace for ${node}`);
      await sh(
        ip,
        ["-n", this.hub, "link", "add", `v${i}`, "type", "veth", "peer", "name", "eth0", "netns", ns],
        `veth for ${node}`,
      );
      await sh(
        ip,
        ["-n", this.hub, "link", "set", `v${i}`, "master", "br0", "up"],
        `attaching ${node} to bridge`,
      );
      await sh(
        ip,
        ["-n", ns, "addr", "add", `${this.addresses.get(node)}/24`, "dev", "eth0"],
        `address for ${node}`,
      );
      await sh(ip, ["-n", ns, "link", "set", "eth0", "up"], `eth0 up for ${node}`);
      await sh(ip, ["-n", ns, "link", "set", "lo", "up"], `lo up for ${node}`);
      await this.nft(node, ["add", "table", "inet", "faultline"]);
      i++;
    }
  }

  /** Links the harness's namespace to the bridge (see `gateway`). */
  private async addGateway(): Promise<void> {
    const ip = tool("ip");
    const host = `fl${this.id}-gw`;
    await sh(
      ip,
      [
        "-n",
        this.hub,
        "link",
        "add",
        "gw",
        "type",
        "veth",
        "peer",
        "name",
        host,
        "netns",
        String(process.pid),
      ],
      "gateway veth",
    );
    await sh(ip, ["-n", this.hub, "link", "set", "gw", "master", "br0", "up"], "attaching gateway");
    await sh(ip, ["addr", "add", `${this.gatewayAddress}/24`, "dev", host], "gateway address");
    await sh(ip, ["link", "set", host, "up"], "gateway up");
  }

  /** The harness's address on the bridge (only meaningful with `gateway`). */
  get gatewayAddress(): string {
    return `10.213.${this.subnet}.${GATEWAY_HOST_OCTET}`;
  }

  /** The node's address inside the network (reachable from the other namespaces only). */
  address(node: string): string {
    const a = this.addresses.get(node);
    if (!a) throw new NetnsError(`netns: no node '${node}' (nodes: ${this.nodes.join(", ")})`);
    return a;
  }

  namespace(node: string): string {
    const ns = this.namespaces.get(node);
    if (!ns) throw new NetnsError(`netns: no node '${node}' (nodes: ${this.nodes.join(", ")})`);
    return ns;
  }

  /** Prefix for running a command in the node's namespace: `[ip, "netns", "exec", ns]`. */
  execPrefix(node: string): string[] {
    return [tool("ip"), "netns", "exec", this.namespace(node)];
  }

  /** Spawns a process inside the node's namespace (the caller owns and must end it). */
  spawnIn(node: string, command: string, args: string[], env?: NodeJS.ProcessEnv): ChildProcess {
    const [ip, ...rest] = this.execPrefix(node);
    return spawn(ip!, [...rest, command, ...args], {
      stdio: ["pipe", "pipe", "pipe"],
      env: env ?? process.env,
    });
  }

  private nft(node: string, args: string[]): Promise<string> {
    return sh(tool("ip"), ["netns", "exec", this.namespace(node), tool("nft"), ...args], `nft in ${node}`);
  }

  /** Drops, in each `to` node's namespace, packets from each `from` node it is cut from. */
  async cut(cuts: CutSet, tag: string): Promise<string[]> {
    const chain = chainName(tag);
    const byTarget = new Map<string, string[]>();
    for (const [from, to] of cuts.pairs()) {
      if (!this.addresses.has(from) || !this.addresses.has(to)) continue;
      byTarget.set(to, [...(byTarget.get(to) ?? []), from]);
    }
    const what: string[] = [];
    // One nft call per target namespace, all targets at once: a cut lands within one round of
    // process starts, not one per rule (isolating a region of six nodes took ~3 s rule by rule).
    await Promise.all(
      [...byTarget].map(async ([to, froms]) => {
        const sources = froms.map((f) => this.address(f)).join(", ");
        await this.nft(to, [
          `add chain inet faultline ${chain} { type filter hook input priority 0 ; policy accept ; } ; ` +
            `add rule inet faultline ${chain} ip saddr { ${sources} } drop`,
        ]);
        const tags = this.tagsIn.get(to) ?? new Set<string>();
        tags.add(chain);
        this.tagsIn.set(to, tags);
      }),
    );
    for (const [to, froms] of byTarget) for (const from of froms) what.push(`${from}->${to} packets dropped`);
    return what;
  }

  async heal(tag: string): Promise<void> {
    const chain = chainName(tag);
    for (const [node, tags] of this.tagsIn) {
      if (!tags.has(chain)) continue;
      await this.nft(node, ["delete", "chain", "inet", "faultline", chain]);
      tags.delete(chain);
    }
  }

  /**
   * netem on the node's outgoing traffic (all destinations); replaces any qdisc there. Some kernels
   * are built without netem (this project's CI VM is one): then a NetnsError says so, and
   * `loss`/`rateLimit` below still work (they need only nftables and tbf).
   */
  async netem(node: string, o: NetemOptions): Promise<void> {
    const args = ["qdisc", "replace", "dev", "eth0", "root", "netem"];
    if (o.delayMs) args.push("delay", `${o.delayMs}ms`, ...(o.jitterMs ? [`${o.jitterMs}ms`] : []));
    if (o.lossPercent) args.push("loss", `${o.lossPercent}%`);
    try {
      await sh(
        tool("ip"),
        ["netns", "exec", this.namespace(node), tool("tc"), ...args],
        `tc netem in ${node}`,
      );
    } catch (e) {
      if (e instanceof NetnsError && /qdisc kind is unknown/.test(e.message)) {
        throw new NetnsError(
          `tc netem is not available: this kernel has no sch_netem module, so packet-level delay cannot be added here; use proxy latency (Toxiproxy links) for delay, and NamespaceNetwork.loss for packet loss`,
        );
      }
      throw e;
    }
  }

  /** Whether this kernel offers netem (delay/loss qdisc). */
  async hasNetem(): Promise<boolean> {
    try {
      await this.netem(this.nodes[0]!, { delayMs: 1 });
      await this.clearQdisc(this.nodes[0]!);
      return true;
    } catch {
      return false;
    }
  }

  /** Drops a random `percent` of the packets arriving at `node` (nftables `numgen random`), under `tag`. */
  async loss(node: string, percent: number, tag: string): Promise<string> {
    if (!(percent > 0 && percent <= 100))
      throw new NetnsError(`netns loss: percent must be in (0, 100], got ${percent}`);
    const chain = chainName(tag);
    await this.nft(node, [
      "add",
      "chain",
      "inet",
      "faultline",
      chain,
      "{ type filter hook input priority 0 ; policy accept ; }",
    ]);
    const tags = this.tagsIn.get(node) ?? new Set<string>();
    tags.add(chain);
    this.tagsIn.set(node, tags);
    // Only traffic from the other nodes: loopback inside the namespace is left alone.
    await this.nft(node, [
      "add",
      "rule",
      "inet",
      "faultline",
      chain,
      "iifname",
      "eth0",
      "numgen",
      "random",
      "mod",
      "100",
      "<",
      String(Math.round(percent)),
      "drop",
    ]);
    return `${node} drops ${Math.round(percent)}% of incoming packets`;
  }

  /** Limits the node's outgoing bandwidth (tbf); replaces any qdisc there. */
  async rateLimit(node: string, kbit: number): Promise<void> {
    const burst = Math.max(2, Math.ceil(kbit / 8 / 10)); // ~100 ms worth, at least two packets' worth in KB
    await sh(
      tool("ip"),
      [
        "netns",
        "exec",
        this.namespace(node),
        tool("tc"),
        "qdisc",
        "replace",
        "dev",
        "eth0",
        "root",
        "tbf",
        "rate",
        `${kbit}kbit`,
        "burst",
        `${burst}kb`,
        "latency",
        "10s",
      ],
      `tc tbf in ${node}`,
    );
  }

  /** Removes the node's netem or tbf qdisc, if any. */
  async clearQdisc(node: string): Promise<void> {
    await sh(
      tool("ip"),
      ["netns", "exec", this.namespace(node), tool("tc"), "qdisc", "del", "dev", "eth0", "root"],
      `tc in ${node}`,
    ).catch(
      () => {}, // no qdisc of ours: nothing to clear
    );
  }

  /** Removes every drop rule and netem qdisc; the namespaces stay. */
  async healAll(): Promise<void> {
    for (const node of this.nodes) {
      await this.nft(node, ["flush", "table", "inet", "faultline"]).catch(() => {});
      for (const chain of this.tagsIn.get(node) ?? []) {
        await this.nft(node, ["delete", "chain", "inet", "faultline", chain]).catch(() => {});
      }
      this.tagsIn.delete(node);
      await this.clearQdisc(node);
    }
  }

  /** Deletes every namespace (and with them the veths, bridge and rules). Safe to call twice. */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    const ip = tool("ip");
    for (const ns of [...this.namespaces.values(), this.hub]) {
      await sh(ip, ["netns", "del", ns], `deleting ${ns}`).catch(() => {});
    }
  }
}

/** nft chain names: letters, digits and underscores. */
function chainName(tag: string): string {
  return `cut_${tag.replace(/[^A-Za-z0-9_]/g, "_")}`;
}
