/**
 * faultline's own Toxiproxy-compatible server, in process: the HTTP API plus the proxies it
 * manages. `toxiproxy-node-client` (and any Toxiproxy client) drives it as it drives the real one.
 *
 *   const server = await startProxyServer({ port: 0 });
 *   const toxiproxy = new Toxiproxy(server.url);
 *   ...
 *   await server.close();
 */
import { createServer, type Server } from "node:http";
import { ToxiproxyApi } from "./api.ts";
import { ProxyMetrics } from "./metrics.ts";

export interface ProxyServerOptions {
  /** Address to bind the HTTP API to; default 127.0.0.1. */
  host?: string;
  /** Port for the HTTP API; 0 (the default) picks a free one. */
  port?: number;
  /** Where log lines go; default: nowhere. */
  log?: (message: string) => void;
  /** Serve Prometheus metrics at /metrics (Toxiproxy's -proxy-metrics); default off, as Toxiproxy. */
  metrics?: boolean;
}

export interface ProxyServer {
  /** Base URL of the API, e.g. http://127.0.0.1:8474 */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Closes the API listener, every proxy listener and every proxied connection. */
  close(): Promise<void>;
}

export async function startProxyServer(opts: ProxyServerOptions = {}): Promise<ProxyServer> {
  const host = opts.host ?? "127.0.0.1";
  const log = opts.log ?? (() => {});
  const api = new ToxiproxyApi(new ProxyMetrics(), log, opts.metrics ?? false);
  const http: Server = createServer((req, res) => api.handle(req, res));
  // Toxiproxy's read timeout; keeps a stuck client from holding a socket forever.
  http.requestTimeout = 15_000;
  await new Promise<void>((resolve, reject) => {
    http.once("error", (err: NodeJS.ErrnoException) =>
      reject(
        new Error(
          `cannot start the Toxiproxy API on ${host}:${opts.port ?? 0}: ${err.message}` +
            (err.code === "EADDRINUSE" ? " (is another Toxiproxy running? choose another --port)" : ""),
        ),
      ),
    );
    http.listen({ host, port: opts.port ?? 0 }, () => resolve());
  });
  const addr = http.address();
  const port = addr && typeof addr === "object" ? addr.port : (opts.port ?? 0);
  const urlHost = host.includes(":") ? `[${host}]` : host;
  let closed: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${port}`,
    host,
    port,
    close() {
      closed ??= new Promise<void>((resolve) => {
        api.stopAll();
        http.close(() => resolve());
        http.closeAllConnections();
      });
      return closed;
    },
  };
}
