/**
 * The links of a user's deployment, on the user's own Toxiproxy servers: each declared link's
 * proxy is used as it is when it exists; a missing one is created with `populate` (which leaves
 * every other proxy and toxic on the server as it was) and deleted again at the end. Nothing else
 * on the servers is touched; fault toxics are added and removed by the nemesis (proxy-links.ts),
 * which removes exactly what it added.
 */
import { Toxiproxy } from "toxiproxy-node-client";
import type { LinkSpec, RunningLink } from "../../topology.ts";
import { type Deployment, deploymentLinkSpec, splitHostPort } from "./deployment-file.ts";

export async function provideRemoteLinks(
  d: Deployment,
  specs: LinkSpec[],
  log: (m: string) => void,
): Promise<{ links: RunningLink[]; release(): Promise<void> }> {
  const created: { url: string; proxy: string }[] = [];
  const links: RunningLink[] = [];
  const release = async () => {
    for (const c of created.splice(0)) {
      try {
        await (await new Toxiproxy(c.url).get(c.proxy)).remove();
      } catch {
        // already gone
      }
    }
  };
  try {
    for (const l of d.links) {
      const spec = deploymentLinkSpec(d, l);
      if (!specs.some((s) => s.name === spec.name)) continue;
      const url = d.toxiproxies[l.toxiproxy]!.url.replace(/\/+$/, "");
      const api = new Toxiproxy(url);
      const upstream = l.upstream ?? d.nodes.find((n) => n.name === l.to)!.address;
      let listen: string;
      try {
        listen = (await api.get(l.proxy)).listen;
      } catch {
        await api.populate([{ name: l.proxy, listen: l.listen, upstream, enabled: true }]);
        created.push({ url, proxy: l.proxy });
        listen = (await api.get(l.proxy)).listen;
        log(`created proxy ${l.proxy} on ${url} (${l.listen} -> ${upstream}); removed at the end`);
      }
      // Clients dial what the file says: the proxy may listen on all interfaces (0.0.0.0).
      const { host, port } = splitHostPort(l.listen);
      links.push({
        spec,
        listenHost: host === "0.0.0.0" ? "127.0.0.1" : host,
        listenPort: port || splitHostPort(listen).port,
        upstream,
        apiUrl: url,
        proxyName: l.proxy,
      });
    }
  } catch (err) {
    await release();
    throw err;
  }
  return { links, release };
}
