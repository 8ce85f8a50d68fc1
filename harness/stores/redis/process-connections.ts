/**
 * One client process's connections to a Sentinel-managed Redis, the way an application has them:
 * writes go to the master that the Sentinels name (ioredis in Sentinel mode, following failovers),
 * reads go to the node the runner's routing picked (a replica in the client's region: fast, maybe
 * stale). Every connection goes through the client's own proxies: ioredis asks the Sentinels
 * through the client's links to them, and the master address a Sentinel announces (the node's real
 * address) is mapped back to the client's link to that node with ioredis's `natMap`, so a partition
 * of client links also cuts the master Sentinel hands out.
 *
 * Errors are classified once here: a command Redis refused (READONLY on a demoted master,
 * NOREPLICAS under min-replicas-to-write) or never sent is a `DefiniteFailure`; a timeout or a
 * connection that closed under a sent command leaves the outcome unknown. After a timeout the
 * connection is dropped, so the next command asks the Sentinels again.
 */
import { Redis, type RedisOptions } from "ioredis";
import type { NodeAddress } from "../../backends/backend.ts";
import { DefiniteFailure, OpTimeout } from "../../../workloads/outcome.ts";
import { MASTER_NAME } from "./redis-config.ts";
import type { SentinelOptions } from "./sentinel-options.ts";

/** An acknowledged write and the node that acknowledged it (the report names writes that went
 *  to a master the Sentinels had already replaced). */
export interface AckedWrite {
  node: string;
  key: string;
  value: number;
  atMs: number;
}

export interface ProcessConnectionsOptions {
  password: string;
  /** Data nodes and Sentinels, by name. */
  servers: string[];
  sentinels: string[];
  /** The client's proxied address of a node. */
  address(node: string): NodeAddress;
  /** The data node Redis or Sentinel announces at `host:port` (its real address). */
  nodeAt(hostPort: string): string | undefined;
  timeoutMs: number;
  options: SentinelOptions;
  onAck(write: AckedWrite): void;
  now(): number;
}

// Replies after which the command certainly had no effect.
const REFUSED = /^(READONLY|NOREPLICAS|MASTERDOWN|NOAUTH|WRONGPASS|LOADING|BUSY|WRONGTYPE|ERR)\b/;
// Never sent: no connection to send it on.
const NOT_SENT =
  /Stream isn't writeable|max retries per request|All sentinels are unreachable|Connection is closed before/i;

export function classify(err: unknown, where: string): Error {
  const e = err as Error;
  const message = `${where}: ${e.message}`;
  if (REFUSED.test(e.message) || NOT_SENT.test(e.message)) return new DefiniteFailure(message);
  if (/timed out|timeout/i.test(e.message)) return new OpTimeout(message);
  return new Error(message);
}

export class ProcessConnections {
  private master: Redis | undefined;
  private readonly direct = new Map<string, Redis>();
  private readonly proxiedToNode = new Map<string, string>();
  /** The node that answered the last operation (taken by `servedBy`). */
  private served: string | undefined;

  constructor(private readonly o: ProcessConnectionsOptions) {
    for (const n of o.servers) {
      const a = o.address(n);
      this.proxiedToNode.set(`${a.host}:${a.port}`, n);
    }
  }

  private common(): RedisOptions {
    return {
      password: this.o.password,
      lazyConnect: false,
      connectTimeout: this.o.timeoutMs,
      commandTimeout: this.o.timeoutMs,
      // A command in flight when the connection drops is not resent: it may have been applied.
      autoResendUnfulfilledCommands: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => 200,
      enableReadyCheck: true,
    };
  }

  /** The Sentinel-discovered master connection (made on first use). */
  private masterConnection(): Redis {
    if (!this.master) {
      const r = new Redis({
        ...this.common(),
        name: MASTER_NAME,
        sentinels: this.o.sentinels.map((s) => this.o.address(s)),
        sentinelPassword: this.o.password,
        sentinelCommandTimeout: Math.min(1_000, this.o.timeoutMs),
        // Keep to the Sentinels through our proxies: do not learn their real addresses.
        updateSentinels: false,
        sentinelRetryStrategy: () => 200,
        natMap: (hostPort: string) => {
          const node = this.o.nodeAt(hostPort);
          return node ? this.o.address(node) : null;
        },
      } satisfies RedisOptions);
      r.on("error", () => {});
      this.master = r;
    }
    return this.master;
  }

  /** A direct (through the client's proxy) connection to one node, for reads. */
  private nodeConnection(node: string): Redis {
    let r = this.direct.get(node);
    if (!r) {
      const a = this.o.address(node);
      r = new Redis({ ...this.common(), host: a.host, port: a.port });
      r.on("error", () => {});
      this.direct.set(node, r);
    }
    return r;
  }

  /** A read on `node`; any error is the read's failure. */
  async read<T>(node: string, f: (r: Redis) => Promise<T>): Promise<T> {
    const r = this.nodeConnection(node);
    this.served = undefined;
    try {
      const result = await f(r);
      this.served = node;
      return result;
    } catch (err) {
      if (/timed out/i.test((err as Error).message)) {
        this.direct.delete(node);
        r.disconnect();
      }
      throw classify(err, `read on ${node}`);
    }
  }

  /**
   * A write on the master the Sentinels name, then `WAIT` when configured. `f` returns whether
   * the write took effect (a compare-and-set may not); an effective write is logged as acknowledged
   * by the node the connection reached.
   */
  async write(key: string, value: number, f: (r: Redis) => Promise<boolean>): Promise<boolean> {
    const r = this.masterConnection();
    this.served = undefined;
    let applied: boolean;
    try {
      applied = await f(r);
    } catch (err) {
      this.dropMasterOn(err);
      throw classify(err, "write on the Sentinel master");
    }
    const node = this.connectedNode(r);
    this.served = node;
    if (applied && this.o.options.wait) {
      const { replicas, timeoutMs } = this.o.options.wait;
      let acked: number;
      try {
        acked = Number(await r.call("WAIT", replicas, timeoutMs));
      } catch (err) {
        this.dropMasterOn(err);
        throw new Error(`written on ${node}, then WAIT failed: ${(err as Error).message}`);
      }
      if (acked < replicas)
        throw new Error(
          `written on ${node}, but WAIT ${replicas} ${timeoutMs}: only ${acked} replica(s) acknowledged`,
        );
    }
    if (applied) this.o.onAck({ node, key, value, atMs: this.o.now() });
    return applied;
  }

  /** The node the master connection is connected to, through which of our proxies. */
  private connectedNode(r: Redis): string {
    const s = r.stream as { remoteAddress?: string; remotePort?: number } | undefined;
    const hp = s?.remoteAddress?.replace(/^::ffff:/, "") + ":" + s?.remotePort;
    return this.proxiedToNode.get(hp) ?? `unknown (${hp})`;
  }

  /** After a timeout or a refusal by a demoted master, the next write asks the Sentinels again. */
  private dropMasterOn(err: unknown): void {
    if (/timed out|^READONLY/i.test((err as Error).message)) {
      this.master?.disconnect();
      this.master = undefined;
    }
  }

  /** The node that answered the last operation, once (the next operation starts unknown). */
  servedBy(): string | undefined {
    const s = this.served;
    this.served = undefined;
    return s;
  }

  close(): void {
    this.master?.disconnect();
    this.master = undefined;
    for (const r of this.direct.values()) r.disconnect();
    this.direct.clear();
  }
}
