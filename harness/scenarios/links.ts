/**
 * Creates one proxy per directed link of the topology through the Toxiproxy API, each listening
 * on a free loopback port and pointing at the node it dials.
 */
import { Toxiproxy } from "toxiproxy-node-client";
import type { LinkSpec, RunningLink, RunningNode } from "../topology.ts";

export async function createLinks(
  proxyUrl: string,
  links: LinkSpec[],
  nodeAddress: (node: string) => Pick<RunningNode, "host" | "port">,
  /** Where the proxies listen: loopback, or an address nodes in namespaces can reach. */
  bindHost = "127.0.0.1",
): Promise<RunningLink[]> {
  const api = new Toxiproxy(proxyUrl);
  const running: RunningLink[] = [];
  for (const spec of links) {
    const { host, port } = nodeAddress(spec.to);
    const upstream = `${host}:${port}`;
    const proxy = await api.createProxy({ name: spec.name, listen: `${bindHost}:0`, upstream });
    const [listenHost, listenPort] = splitHostPort(proxy.listen);
    running.push({ spec, listenHost, listenPort, upstream });
  }
  return running;
}

export async function deleteLinks(proxyUrl: string, links: RunningLink[]): Promise<void> {
  const api = new Toxiproxy(proxyUrl);
  for (const l of links) {
    try {
      await (await api.get(l.spec.name)).remove();
    } catch {
      // Already gone (the proxy server may have been stopped first).
    }
  }
}

function splitHostPort(listen: string): [string, number] {
  const i = listen.lastIndexOf(":");
  const host = listen.slice(0, i).replace(/^\[|\]$/g, "");
  return [host === "" || host === "0.0.0.0" ? "127.0.0.1" : host, Number(listen.slice(i + 1))];
}

export function findLink(links: RunningLink[], name: string): RunningLink {
  const l = links.find((x) => x.spec.name === name);
  if (!l) throw new Error(`no link named '${name}' (have: ${links.map((x) => x.spec.name).join(", ")})`);
  return l;
}
