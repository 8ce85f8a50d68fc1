/**
 * The register and set workloads on Redis, over one process's connections: register key k is the
 * string `r:k` (GET / SET / compare-and-set as a Lua script, atomic on the master), set k is the
 * Redis set `s:k` (SADD / SMEMBERS). Writes go to the Sentinel master, reads to the routed node.
 * Also how a node's whole state is read for the final-state comparison.
 */
import type { Redis } from "ioredis";
import type { RegisterClient } from "../../../workloads/register.ts";
import type { SetClient } from "../../../workloads/set.ts";
import type { ProcessConnections } from "./process-connections.ts";

const CAS_SCRIPT =
  "if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('SET', KEYS[1], ARGV[2]) return 1 else return 0 end";

export class RedisRegisterClient implements RegisterClient {
  constructor(
    private readonly c: ProcessConnections,
    private readonly node: string,
  ) {}

  async read(key: number): Promise<number | null> {
    const v = await this.c.read(this.node, (r) => r.get(`r:${key}`));
    return v === null ? null : Number(v);
  }

  async write(key: number, value: number): Promise<void> {
    await this.c.write(`r:${key}`, value, async (r) => (await r.set(`r:${key}`, String(value))) === "OK");
  }

  async cas(key: number, from: number, to: number): Promise<boolean> {
    return this.c.write(
      `r:${key}`,
      to,
      async (r) => Number(await r.eval(CAS_SCRIPT, 1, `r:${key}`, String(from), String(to))) === 1,
    );
  }

  async close(): Promise<void> {}
}

export class RedisSetClient implements SetClient {
  constructor(
    private readonly c: ProcessConnections,
    private readonly node: string,
  ) {}

  async add(key: number, element: number): Promise<void> {
    // SADD answers 0 for an element already there; elements are unique, so that is a re-add.
    await this.c.write(`s:${key}`, element, async (r) => (await r.sadd(`s:${key}`, String(element)), true));
  }

  async read(key: number): Promise<number[]> {
    const members = await this.c.read(this.node, (r) => r.smembers(`s:${key}`));
    return members.map(Number).sort((a, b) => a - b);
  }

  async close(): Promise<void> {}
}

export interface RedisWorkload {
  client(c: ProcessConnections, node: string): unknown;
  /** Every key of this workload on one node, as the divergence check compares them. */
  readState(r: Redis): Promise<Record<string, unknown>>;
}

async function keysOf(r: Redis, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = "0";
  do {
    const [next, batch] = await r.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
    keys.push(...batch);
    cursor = next;
  } while (cursor !== "0");
  return keys;
}

export const REDIS_WORKLOADS: Record<string, RedisWorkload> = {
  register: {
    client: (c, node) => new RedisRegisterClient(c, node),
    async readState(r) {
      const out: Record<string, unknown> = {};
      for (const k of await keysOf(r, "r:")) {
        const v = await r.get(k);
        if (v !== null) out[k.slice(2)] = Number(v);
      }
      return out;
    },
  },
  set: {
    client: (c, node) => new RedisSetClient(c, node),
    async readState(r) {
      const out: Record<string, unknown> = {};
      for (const k of await keysOf(r, "s:")) {
        out[k.slice(2)] = (await r.smembers(k)).map(Number).sort((a, b) => a - b);
      }
      return out;
    },
  },
};

export function redisWorkload(name: string): RedisWorkload {
  const w = REDIS_WORKLOADS[name];
  if (!w)
    throw new Error(
      `Redis has no client for workload '${name}' (has: ${Object.keys(REDIS_WORKLOADS).join(", ")})`,
    );
  return w;
}
