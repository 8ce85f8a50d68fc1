/**
 * The register and set workloads on etcd: register k is the key `r/k` (range / put /
 * compare-and-set as a transaction comparing the value), set k is one key per element under
 * `s/k/` (an add puts `s/k/<element>`, a read lists the prefix), all in one Raft group. Reads are
 * linearizable unless the deployment asks for serializable ones (served from the member's own
 * state, maybe stale). Also how a member's whole state is read for the final-state comparison.
 */
import type { RegisterClient } from "../../../workloads/register.ts";
import type { SetClient } from "../../../workloads/set.ts";
import type { GatewayClient } from "./gateway-client.ts";

export class EtcdRegisterClient implements RegisterClient {
  constructor(
    private readonly c: GatewayClient,
    private readonly serializable: boolean,
  ) {}

  async read(key: number): Promise<number | null> {
    const v = await this.c.get(`r/${key}`, this.serializable);
    return v === null ? null : Number(v);
  }

  write(key: number, value: number): Promise<void> {
    return this.c.put(`r/${key}`, String(value));
  }

  cas(key: number, from: number, to: number): Promise<boolean> {
    return this.c.compareAndSet(`r/${key}`, String(from), String(to));
  }

  async close(): Promise<void> {}
}

export class EtcdSetClient implements SetClient {
  constructor(
    private readonly c: GatewayClient,
    private readonly serializable: boolean,
  ) {}

  add(key: number, element: number): Promise<void> {
    return this.c.put(`s/${key}/${element}`, String(element));
  }

  async read(key: number): Promise<number[]> {
    const kvs = await this.c.list(`s/${key}/`, this.serializable);
    return kvs.map((kv) => Number(kv.value)).sort((a, b) => a - b);
  }

  async close(): Promise<void> {}
}

export interface EtcdWorkload {
  client(c: GatewayClient, serializable: boolean): unknown;
  /** Every key of this workload on one member (read from its own state). */
  readState(c: GatewayClient): Promise<Record<string, unknown>>;
}

export const ETCD_WORKLOADS: Record<string, EtcdWorkload> = {
  register: {
    client: (c, s) => new EtcdRegisterClient(c, s),
    async readState(c) {
      const out: Record<string, unknown> = {};
      for (const kv of await c.list("r/", true)) out[kv.key.slice(2)] = Number(kv.value);
      return out;
    },
  },
  set: {
    client: (c, s) => new EtcdSetClient(c, s),
    async readState(c) {
      const out: Record<string, number[]> = {};
      for (const kv of await c.list("s/", true)) {
        const key = kv.key.split("/")[1]!;
        (out[key] ??= []).push(Number(kv.value));
      }
      for (const k of Object.keys(out)) out[k]!.sort((a, b) => a - b);
      return out;
    },
  },
};

export function etcdWorkload(name: string): EtcdWorkload {
  const w = ETCD_WORKLOADS[name];
  if (!w)
    throw new Error(
      `etcd has no client for workload '${name}' (has: ${Object.keys(ETCD_WORKLOADS).join(", ")})`,
    );
  return w;
}
