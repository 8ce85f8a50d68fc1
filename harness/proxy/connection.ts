/**
 * One client connection through a proxy: the accepted client socket, the socket dialled to the
 * upstream, and a link each way.
 *
 * Unlike Toxiproxy (which dials synchronously in its accept loop, so one unreachable upstream
 * stalls every new client), the dial is asynchronous and bounded by a timeout. If the upstream
 * cannot be reached the client is reset, so it fails at once with ECONNRESET instead of reading
 * an ambiguous EOF or hanging, and the failure is logged and counted.
 */
import { connect, type Socket } from "node:net";
import type { HostPort } from "./address.ts";
import { Link } from "./link.ts";
import type { ProxyCounters } from "./metrics.ts";
import type { ToxicCollection } from "./toxic-collection.ts";

export const UPSTREAM_CONNECT_TIMEOUT_MS = 10_000;

export interface ConnectionHost {
  readonly name: string;
  readonly toxics: ToxicCollection;
  readonly counters: ProxyCounters;
  log(message: string): void;
  connectionClosed(conn: Connection): void;
}

export class Connection {
  private upstream: Socket | undefined;
  private links: Link[] = [];
  private closedSockets = 0;
  private done = false;

  constructor(
    private readonly host: ConnectionHost,
    private readonly client: Socket,
    private readonly target: HostPort,
  ) {}

  start(): void {
    const { client, host } = this;
    host.counters.connectionsTotal++;
    host.counters.connectionsOpen++;
    client.setNoDelay(true);
    client.setKeepAlive(true, 15_000);
    client.on("error", () => {}); // resets and aborts surface as 'close'
    client.once("close", () => this.socketClosed());

    const upstream = connect({
      host: this.target.host,
      port: this.target.port,
      allowHalfOpen: true,
      noDelay: true,
    });
    this.upstream = upstream;
    upstream.setTimeout(UPSTREAM_CONNECT_TIMEOUT_MS);
    let connected = false;
    upstream.once("timeout", () => {
      if (!connected) upstream.destroy(new Error(`timed out after ${UPSTREAM_CONNECT_TIMEOUT_MS} ms`));
    });
    upstream.once("error", (err) => {
      if (connected) return;
      host.counters.upstreamConnectErrors++;
      host.log(
        `proxy ${host.name}: cannot reach upstream ${this.target.host}:${this.target.port} ` +
          `(${err.message}); resetting the client connection from ${client.remoteAddress}:${client.remotePort}`,
      );
      if (!client.destroyed) client.resetAndDestroy();
    });
    upstream.on("error", () => {});
    upstream.once("close", () => this.socketClosed());
    upstream.once("connect", () => {
      connected = true;
      upstream.setTimeout(0);
      upstream.setKeepAlive(true, 15_000);
      if (client.destroyed) {
        upstream.destroy();
        return;
      }
      const reset = () => this.reset();
      const up = new Link(
        "upstream",
        client,
        upstream,
        host.toxics.chain("upstream"),
        host.counters.upstream,
        reset,
      );
      const down = new Link(
        "downstream",
        upstream,
        client,
        host.toxics.chain("downstream"),
        host.counters.downstream,
        reset,
      );
      this.links = [up, down];
      host.toxics.links.add(up);
      host.toxics.links.add(down);
      up.start();
      down.start();
      client.resume();
    });
  }

  /** Closes both sides at once (proxy disabled or deleted). */
  close(): void {
    this.client.destroy();
    this.upstream?.destroy();
  }

  /** Both sides get a TCP RST. */
  reset(): void {
    if (!this.client.destroyed) this.client.resetAndDestroy();
    if (this.upstream && !this.upstream.destroyed) this.upstream.resetAndDestroy();
  }

  private socketClosed(): void {
    this.closedSockets++;
    // Once one side is gone the connection is over; the other side is closed by its link,
    // or here if no link was ever set up.
    if (this.links.length === 0) {
      this.client.destroy();
      this.upstream?.destroy();
    }
    if (this.closedSockets < 2 || this.done) return;
    this.done = true;
    for (const l of this.links) {
      l.dispose();
      this.host.toxics.links.delete(l);
    }
    this.host.counters.connectionsOpen--;
    this.host.connectionClosed(this);
  }
}
