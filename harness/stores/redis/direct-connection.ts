/**
 * One-shot connections from the harness straight to a Redis server or Sentinel (no proxy): for
 * readiness probes, quiesce, final-state reads, lag probes and the failover watch. Every call has a
 * deadline and never retries, so a paused or partitioned node makes it fail, not hang.
 */
import { Redis } from "ioredis";
import type { NodeAddress } from "../../backends/backend.ts";

export interface DirectOptions {
  password: string;
  timeoutMs?: number;
}

/** A connection that gives up at once instead of reconnecting; the caller must `disconnect()` it. */
export function directConnection(address: NodeAddress, o: DirectOptions): Redis {
  const timeoutMs = o.timeoutMs ?? 2_000;
  const r = new Redis({
    host: address.host,
    port: address.port,
    password: o.password,
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableReadyCheck: false,
    enableOfflineQueue: false,
  });
  r.on("error", () => {}); // every command's own rejection reports it
  return r;
}

/** Opens a connection, runs `f`, closes it. */
export async function withDirect<T>(
  address: NodeAddress,
  o: DirectOptions,
  f: (r: Redis) => Promise<T>,
): Promise<T> {
  const r = directConnection(address, o);
  try {
    await r.connect();
    return await f(r);
  } finally {
    r.disconnect();
  }
}

/** `INFO <section>` as a map of its `field:value` lines. */
export function parseInfo(text: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const i = line.indexOf(":");
    if (i > 0 && !line.startsWith("#")) m.set(line.slice(0, i), line.slice(i + 1));
  }
  return m;
}

/** A `slaveN:ip=...,port=...,state=online,offset=...,lag=...` value as fields. */
export function parseFields(value: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of value.split(",")) {
    const i = part.indexOf("=");
    if (i > 0) out[part.slice(0, i)] = part.slice(i + 1);
  }
  return out;
}
