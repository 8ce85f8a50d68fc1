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

  /** Toxiproxy's JSON for a proxy, with its toxics. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      listen: this.listen,
      upstream: this.upstream,
      enabled: this.enabled,
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
      where = splitHostPort(this.listen);
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

  /** Toxiproxy's Proxy.Update: a new listen or upstream restarts the proxy. */
  async update(input: { listen: string; upstream: string; enabled: boolean }): Promise<void> {
    if (input.listen !== this.listen || input.upstream !== this.upstream) {
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
