/**
 * The Toxiproxy server the conformance suite runs against: `TOXIPROXY_URL` if set, else a
 * `toxiproxy-server` on PATH, else faultline's own. The same assertions hold for all three.
 */
import { Toxiproxy } from "toxiproxy-node-client";
import { type AcquiredProxy, acquireProxy } from "../../../harness/proxy/source.ts";

export interface Target extends AcquiredProxy {
  client: Toxiproxy;
  /** A proxy name unique to this test file and call, so tests never collide on a shared server. */
  name(label: string): string;
  /** Raw HTTP against the API. */
  http(method: string, path: string, body?: string): Promise<{ status: number; text: string; json: unknown }>;
}

let counter = 0;

export async function acquireTarget(file: string): Promise<Target> {
  const acquired = await acquireProxy();
  const prefix = `${file}_${process.pid}`;
  return {
    ...acquired,
    client: new Toxiproxy(acquired.url),
    name: (label) => `${prefix}_${label}_${++counter}`,
    async http(method, path, body) {
      const res = await fetch(`${acquired.url}${path}`, { method, body });
      const text = await res.text();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: res.status, text, json };
    },
  };
}

/** Deletes every proxy this file created (by prefix), for a shared external server. */
export async function cleanup(target: Target, file: string): Promise<void> {
  const res = await target.http("GET", "/proxies");
  const prefix = `${file}_${process.pid}`;
  for (const name of Object.keys((res.json ?? {}) as Record<string, unknown>)) {
    if (name.startsWith(prefix)) await target.http("DELETE", `/proxies/${encodeURIComponent(name)}`);
  }
}
