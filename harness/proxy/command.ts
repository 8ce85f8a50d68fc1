/**
 * `faultline proxy`: a standalone Toxiproxy-compatible server, a drop-in for `toxiproxy-server`
 * (same default port, same `-config` file format: a JSON array of proxies, as for POST /populate).
 * Binds loopback unless told otherwise. Runs until SIGINT or SIGTERM.
 *
 * As toxiproxy-server, a config file that cannot be read or applied is logged and the server runs
 * with whatever proxies it could create (none, for an unreadable or malformed file).
 */
import { readFile } from "node:fs/promises";
import { startProxyServer } from "./server.ts";

export const DEFAULT_PROXY_PORT = 8474;

export interface ProxyCommandOptions {
  host: string;
  port: number;
  /** A JSON file with an array of proxies to create at start (Toxiproxy's `-config`). */
  config?: string;
  /** Serve /metrics (Toxiproxy's `-proxy-metrics`); off by default, as in Toxiproxy. */
  metrics?: boolean;
  /** Where log lines go; default stderr. */
  log?: (message: string) => void;
  /** Resolves when the server should stop; default: on SIGINT or SIGTERM. */
  until?: Promise<unknown>;
}

function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (sig: NodeJS.Signals) => {
      process.off("SIGINT", on);
      process.off("SIGTERM", on);
      resolve(sig);
    };
    process.on("SIGINT", on);
    process.on("SIGTERM", on);
  });
}

export async function runProxyCommand(opts: ProxyCommandOptions): Promise<void> {
  const log = opts.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  let populateBody: string | undefined;
  if (opts.config) {
    try {
      populateBody = await readFile(opts.config, "utf8");
    } catch (e) {
      log(
        `faultline proxy: cannot read proxy config ${opts.config}: ${(e as Error).message}; running with no proxies`,
      );
    }
  }
  const server = await startProxyServer({ host: opts.host, port: opts.port, log, metrics: opts.metrics });
  const stop = opts.until ?? untilSignal();
  try {
    log(`faultline proxy: Toxiproxy-compatible API on ${server.url}`);
    if (populateBody !== undefined) {
      const res = await fetch(`${server.url}/populate`, { method: "POST", body: populateBody });
      const text = await res.text();
      type Created = { name: string; listen: string; upstream: string };
      let proxies: Created[] | null = null;
      let error: string | undefined;
      try {
        ({ proxies, error } = JSON.parse(text) as { proxies: Created[] | null; error?: string });
      } catch {
        error = text.trim();
      }
      if (!res.ok) {
        log(
          `faultline proxy: cannot create the proxies in ${opts.config}: ${error ?? text.trim()} ` +
            "(expected a JSON array of {name, listen, upstream, enabled?}); running with " +
            `${proxies?.length ? `only ${proxies.map((p) => p.name).join(", ")}` : "no proxies"}`,
        );
      }
      for (const p of proxies ?? [])
        log(`faultline proxy: ${p.name} listening on ${p.listen} -> ${p.upstream}`);
    }
    await stop;
    log("faultline proxy: shutting down");
  } finally {
    await server.close();
  }
}
