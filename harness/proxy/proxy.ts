/**
 * A named proxy: a TCP listener whose every accepted client is connected to `upstream` through
 * the proxy's toxics (Toxiproxy's Proxy). Disabling it closes the listener (new clients are
 * refused) and every open connection; enabling it listens again on the address it had.
 */
import { createServer, type Server, type Socket } from "node:net";
import {
  type HostPort,
  joinHostPort,
  listenErrorMessage,
  resolveListenHost,
  splitHostPort,
} from "./address.ts";
import { Connection, type ConnectionHost } from "./connection.ts";
import { emptyCounters, type ProxyCounters, type ProxyMetrics } from "./metrics.ts";
import { toxicJson } from "./toxic.ts";
import { ToxicCollection } from "./toxic-collection.ts";

export interface ProxyFields {
  name: string;
  listen: string;
  upstream: string;
  enabled: boolean;
}

export class ProxyInstance implements ConnectionHost {
  listen: string;
  upstream: string;
  enabled = false;
  readonly toxics = new ToxicCollection();
  private server: Server | undefined;
  private readonly connections = new Set<Connection>();
  counters: ProxyCounters;

  constructor(
    readonly name: string,
    listen: string,
    upstream: string,
    private readonly metrics: ProxyMetrics,
    readonly log: (message: string) => void,
  ) {
    this.listen = listen;
    this.upstream = upstream;
    // Exposed once it listens, under the address it is bound to.
    this.counters = emptyCounters();
  }

  /**
   * Toxiproxy's JSON for a proxy, with its toxics. `Logger` is there because Toxiproxy's Proxy
   * struct has an exported `Logger *zerolog.Logger` field without a JSON tag, which Go encodes
   * as `{}`; clients that compare bodies see the same keys.
   */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      listen: this.listen,
      upstream: this.upstream,
      enabled: this.enabled,
      Logger: {},
      toxics: this.toxics.list().map(toxicJson),
    };
  }

  get openConnections(): number {
    return this.connections.size;
  }

  /** Starts listening; errors carry Go's wording (`listen tcp 127.0.0.1:1: bind: ...`). */
  async start(): Promise<void> {
    if (this.enabled) return;
    let where: HostPort;
    let bindHost: string;
    try {
      if (this.listen === "") {
        // No listen given: Toxiproxy (net.Listen("tcp", "")) binds every interface on a free
        // port. We bind loopback on a free port instead (faultline binds loopback unless told
        // otherwise); an explicit ":P" or "0.0.0.0:P" still binds every interface.
        where = { host: "127.0.0.1", port: 0 };
      } else {
        where = splitHostPort(this.listen);
      }
      bindHost = await resolveListenHost(where.host);
    } catch (e) {
      throw new Error(`listen tcp: ${(e as Error).message}`);
    }
    const server = createServer({ allowHalfOpen: true, pauseOnConnect: true, noDelay: true }, (socket) =>
      this.accept(socket),
    );
    await new Promise<void>((resolve, reject) => {
      server.once("error", (err: NodeJS.ErrnoException) =>
        reject(new Error(listenErrorMessage(this.listen, err))),
      );
      server.listen({ host: bindHost, port: where.port, backlog: 4096 }, () => resolve());
    });
    server.on("error", (err) => this.log(`proxy ${this.name}: listener error: ${err.message}`));
    const addr = server.address();
    if (addr && typeof addr === "object") this.listen = joinHostPort(addr.address, addr.port);
    this.server = server;
    this.enabled = true;
    this.counters = this.metrics.countersFor(this.name, this.listen, this.upstream);
  }

  /** Stops listening and closes every connection. */
  stop(): void {
    if (!this.enabled) return;
    this.enabled = false;
    this.server?.close();
    this.server = undefined;
    for (const c of this.connections) c.close();
  }

  /**
   * Toxiproxy's Proxy.Differs: the new listen is resolved first (`localhost:P` is `127.0.0.1:P`),
   * so re-sending the address a proxy already listens on changes nothing. A listen that cannot
   * be resolved throws (Toxiproxy answers 500 and leaves the proxy as it was).
   */
  async differs(input: { listen: string; upstream: string }): Promise<boolean> {
    return (await resolveListen(input.listen)) !== this.listen || input.upstream !== this.upstream;
  }

  /** Toxiproxy's Proxy.Update: a different listen or upstream restarts the proxy. */
  async update(input: { listen: string; upstream: string; enabled: boolean }): Promise<void> {
    if (await this.differs(input)) {
      this.stop();
      this.listen = input.listen;
      this.upstream = input.upstream;
    }
    if (input.enabled !== this.enabled) {
      if (input.enabled) await this.start();
      else this.stop();
    }
  }

  private accept(socket: Socket): void {
    if (!this.enabled) {
      socket.destroy();
      return;
    }
    let target: HostPort;
    try {
      target = splitHostPort(this.upstream);
    } catch (e) {
      this.counters.upstreamConnectErrors++;
      this.log(`proxy ${this.name}: bad upstream address ${this.upstream}: ${(e as Error).message}`);
      socket.resetAndDestroy();
      return;
    }
    const conn = new Connection(this, socket, target);
    this.connections.add(conn);
    conn.start();
  }

  connectionClosed(conn: Connection): void {
    this.connections.delete(conn);
  }
}

/** Go's net.ResolveTCPAddr(...).String(): `localhost:P` -> `127.0.0.1:P`, `:P` stays `:P`. */
async function resolveListen(listen: string): Promise<string> {
  if (listen === "") return ":0";
  const { host, port } = splitHostPort(listen);
  return joinHostPort(host === "" ? "" : await resolveListenHost(host), port);
}
