/**
 * The one place faults touch proxied links, through the Toxiproxy API (`toxiproxy-node-client`, so
 * the real Toxiproxy and faultline's own server behave the same). Toxics a fault adds are named
 * `faultline-fault-<id>-...` so that a fault removes only its own, base latency stays, and a
 * teardown can find every fault toxic left behind. A link may live on another Toxiproxy server
 * under another proxy name (the external backend's links): each call goes to the link's own.
 *
 * Every toxic added is recorded until removed (`added`), so a teardown on a server faultline does
 * not own removes exactly what the run added and nothing else.
 */
import { type ToxicDirection, type ToxicType, Toxiproxy } from "toxiproxy-node-client";
import type { RunningLink } from "../topology.ts";
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

/** Toxics added and not yet removed, as `<api url> <proxy> <toxic>`. */
const added = new Set<string>();

export class ProxyLinks {
  private readonly apis = new Map<string, Toxiproxy>();
  private readonly byName: Map<string, RunningLink>;

  /** `url` is the run's own proxy API; `links` say where links that live elsewhere are. */
  constructor(
    readonly url: string,
    links: readonly RunningLink[] = [],
  ) {
    this.byName = new Map(links.map((l) => [l.spec.name, l]));
  }

  /** The proxy behind each link of a fault context. */
  static of(ctx: { proxyUrl: string; links: readonly RunningLink[] }): ProxyLinks {
    return new ProxyLinks(ctx.proxyUrl, ctx.links);
  }

  /** Which API and proxy name a link is. */
  private where(link: string): { url: string; api: Toxiproxy; proxy: string } {
    const l = this.byName.get(link);
    const url = (l?.apiUrl ?? this.url).replace(/\/+$/, "");
    let api = this.apis.get(url);
    if (!api) this.apis.set(url, (api = new Toxiproxy(url)));
    return { url, api, proxy: l?.proxyName ?? link };
  }

  /** Whether the link's proxy lives on the run's own proxy server. */
  isOwn(link: string): boolean {
    return this.byName.get(link)?.apiUrl === undefined;
  }

  async addToxic(link: string, body: ToxicBody): Promise<void> {
    const proxy = await this.get(link);
    const w = this.where(link);
    try {
      await proxy.addToxic({ toxicity: 1, ...body });
      added.add(`${w.url} ${w.proxy} ${body.name}`);
    } catch (e) {
      throw new Error(
        `adding toxic '${body.name}' (${body.type}, ${body.stream}) to link '${link}' via ${w.url}: ${msg(e)}`,
      );
    }
  }

  /** Removes one toxic; a toxic that is already gone is fine. */
  async removeToxic(link: string, name: string): Promise<void> {
    const proxy = await this.get(link);
    const w = this.where(link);
    const names = await this.toxicNames(link);
    if (names.includes(name)) await (await proxy.getToxic(name)).remove();
    added.delete(`${w.url} ${w.proxy} ${name}`);
  }

  /** Toxics this process added to the link and has not removed. */
  addedToxics(link: string): string[] {
    const w = this.where(link);
    const prefix = `${w.url} ${w.proxy} `;
    return [...added].filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length));
  }

  async toxicNames(link: string): Promise<string[]> {
    const proxy = await this.get(link);
    const res = await this.where(link).api.api.get<ToxicListing[]>(`${proxy.getPath()}/toxics`);
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
    const w = this.where(link);
    try {
      return await w.api.get(w.proxy);
    } catch (e) {
      throw new Error(
        `link '${link}' (proxy '${w.proxy}') not found on the proxy API at ${w.url}: ${msg(e)}`,
      );
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
