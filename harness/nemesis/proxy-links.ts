/**
 * The one place faults touch proxied links, through the Toxiproxy API (`toxiproxy-node-client`, so
 * the real Toxiproxy and faultline's own server behave the same). Toxics a fault adds are named
 * `faultline-fault-<id>-...` so that a fault removes only its own, base latency stays, and a
 * teardown can find every fault toxic left behind.
 */
import { type ToxicDirection, type ToxicType, Toxiproxy } from "toxiproxy-node-client";
import type { LinkCut } from "./cuts.ts";

export const FAULT_TOXIC_PREFIX = "faultline-fault-";
export const BASE_LATENCY_TOXIC = "faultline-base-latency";

export interface ToxicBody {
  name: string;
  type: ToxicType;
  stream: ToxicDirection;
  attributes: Record<string, number>;
  toxicity?: number;
}

interface ToxicListing {
  name: string;
}

export class ProxyLinks {
  private readonly api: Toxiproxy;

  constructor(readonly url: string) {
    this.api = new Toxiproxy(url.replace(/\/+$/, ""));
  }

  async addToxic(link: string, body: ToxicBody): Promise<void> {
    const proxy = await this.get(link);
    try {
      await proxy.addToxic({ toxicity: 1, ...body });
    } catch (e) {
      throw new Error(
        `adding toxic '${body.name}' (${body.type}, ${body.stream}) to link '${link}' via ${this.url}: ${msg(e)}`,
      );
    }
  }

  /** Removes one toxic; a toxic that is already gone is fine. */
  async removeToxic(link: string, name: string): Promise<void> {
    const proxy = await this.get(link);
    const names = await this.toxicNames(link);
    if (!names.includes(name)) return;
    await (await proxy.getToxic(name)).remove();
  }

  async toxicNames(link: string): Promise<string[]> {
    const proxy = await this.get(link);
    const res = await this.api.api.get<ToxicListing[]>(`${proxy.getPath()}/toxics`);
    return (res.data ?? []).map((t) => t.name);
  }

  async setEnabled(link: string, enabled: boolean): Promise<void> {
    const proxy = await this.get(link);
    if (proxy.enabled === enabled) return;
    await proxy.update({ enabled, listen: proxy.listen, upstream: proxy.upstream });
  }

  async isEnabled(link: string): Promise<boolean> {
    return (await this.get(link)).enabled;
  }

  /** Blackholes the cut streams of each link: a `timeout` toxic with timeout 0 (data stops, the
   *  connection stays open, as with dropped packets). */
  async blackhole(cuts: readonly LinkCut[], tag: string): Promise<void> {
    for (const c of cuts) {
      for (const stream of streamsOf(c)) {
        await this.addToxic(c.link.name, {
          name: `${tag}-blackhole-${stream}`,
          type: "timeout",
          stream,
          attributes: { timeout: 0 },
        });
      }
    }
  }

  /** Removes every toxic whose name starts with `prefix` from these links. */
  async removeToxicsWithPrefix(links: readonly string[], prefix: string): Promise<void> {
    for (const link of links) {
      for (const name of await this.toxicNames(link)) {
        if (name.startsWith(prefix)) await this.removeToxic(link, name);
      }
    }
  }

  private async get(link: string) {
    try {
      return await this.api.get(link);
    } catch (e) {
      throw new Error(`link '${link}' not found on the proxy API at ${this.url}: ${msg(e)}`);
    }
  }
}

export function streamsOf(c: LinkCut): ToxicDirection[] {
  const out: ToxicDirection[] = [];
  if (c.upstream) out.push("upstream");
  if (c.downstream) out.push("downstream");
  return out;
}

function msg(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
