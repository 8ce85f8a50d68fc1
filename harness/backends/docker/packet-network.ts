/**
 * Packet-level cuts between the containers of a docker run: iptables inside each target
 * container (it runs with NET_ADMIN) drops what a cut source sends it. Used for stores whose peers
 * dial each other directly on the run network (gossip); links through the proxies are cut there.
 * `docker network disconnect` is not used: it gives published ports new host ports.
 *
 * One chain per fault tag (`FL_<hash>`), jumped to from INPUT, so that healing one fault removes
 * exactly its rules. A container restarted after a kill comes back with a fresh network namespace,
 * and without the rules (as a rebooted machine would).
 */
import { createHash } from "node:crypto";
import type { CutSet } from "../../nemesis/cuts.ts";
import type { PacketNetwork } from "../../nemesis/fault.ts";
import type { RunningNodeContainer } from "./node-container.ts";

/** iptables chain names are at most 28 characters: a tag is hashed. */
function chainName(tag: string): string {
  return `FL_${createHash("sha256").update(tag).digest("hex").slice(0, 16)}`;
}

export class ContainerPacketNetwork implements PacketNetwork {
  /** Chains added per node, so heal and healAll know where to look. */
  private readonly chains = new Map<string, Set<string>>();

  constructor(private readonly containers: () => Map<string, RunningNodeContainer>) {}

  async cut(cuts: CutSet, tag: string): Promise<string[]> {
    const containers = this.containers();
    const chain = chainName(tag);
    const what: string[] = [];
    const byTarget = new Map<string, string[]>();
    for (const [from, to] of cuts.pairs()) {
      if (!containers.has(from) || !containers.has(to)) continue;
      byTarget.set(to, [...(byTarget.get(to) ?? []), from]);
    }
    for (const [to, froms] of byTarget) {
      const target = containers.get(to)!;
      const added = this.chains.get(to) ?? new Set<string>();
      if (!added.has(chain)) {
        await target.exec(["iptables", "-w", "-N", chain]);
        await target.exec(["iptables", "-w", "-I", "INPUT", "-j", chain]);
        added.add(chain);
        this.chains.set(to, added);
      }
      for (const from of froms) {
        const ip = await containers.get(from)!.ip();
        await target.exec(["iptables", "-w", "-A", chain, "-s", ip, "-j", "DROP"]);
        what.push(`${from} -> ${to} dropped (iptables in ${to})`);
      }
    }
    return what;
  }

  async heal(tag: string): Promise<void> {
    const chain = chainName(tag);
    for (const [node, chains] of this.chains) {
      if (!chains.has(chain)) continue;
      await this.removeChain(node, chain);
      chains.delete(chain);
    }
  }

  async healAll(): Promise<void> {
    for (const [node, chains] of this.chains) {
      for (const chain of chains) await this.removeChain(node, chain);
      chains.clear();
    }
  }

  private async removeChain(node: string, chain: string): Promise<void> {
    const c = this.containers().get(node);
    if (!c) return;
    // Each step may fail on a container restarted since (its rules are gone already).
    await c.exec(["iptables", "-w", "-D", "INPUT", "-j", chain]).catch(() => {});
    await c.exec(["iptables", "-w", "-F", chain]).catch(() => {});
    await c.exec(["iptables", "-w", "-X", chain]).catch(() => {});
  }
}
