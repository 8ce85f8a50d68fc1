/**
 * etcd's own v3 API through its HTTP/JSON gateway (etcd 3.4: `POST /v3/kv/range`, `/v3/kv/put`,
 * `/v3/kv/txn`, keys and values in base64), spoken with node:http. Chosen over the `etcd3` npm
 * package (gRPC) because it needs no dependency, every request has its own hard deadline, and each
 * client process gets its own keep-alive agent, so a retired process takes its connections with it.
 *
 * Errors: a connection refused before the request was sent is a `DefiniteFailure`; a timeout is an
 * `OpTimeout`; anything else, including an error reply (a "request timed out" or "leader changed"
 * proposal may still commit), leaves a write's outcome unknown (a read's is a failure either way).
 */
import http from "node:http";
import type { NodeAddress } from "../../backends/backend.ts";
import { DefiniteFailure, OpTimeout } from "../../../workloads/outcome.ts";

export const b64 = (s: string): string => Buffer.from(s, "utf8").toString("base64");
export const unb64 = (s: string): string => Buffer.from(s, "base64").toString("utf8");

/** The end of the range of every key starting with `prefix` (prefix with its last byte + 1). */
export function prefixEnd(prefix: string): string {
  const buf = Buffer.from(prefix, "utf8");
  buf[buf.length - 1]! += 1;
  return buf.toString("base64");
}

export interface KeyValue {
  key: string;
  value: string;
  mod_revision?: string;
}

export interface RangeReply {
  header?: { revision?: string };
  kvs?: { key: string; value?: string; mod_revision?: string }[];
  count?: string;
}

export class EtcdError extends Error {
  override name = "EtcdError";
}

export class GatewayClient {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

  constructor(
    private readonly address: NodeAddress,
    private readonly timeoutMs: number,
  ) {}

  post<T>(path: string, body: unknown): Promise<T> {
    const payload = JSON.stringify(body);
    return new Promise<T>((resolve, reject) => {
      let sent = false;
      const req = http.request(
        {
          host: this.address.host,
          port: this.address.port,
          path,
          method: "POST",
          agent: this.agent,
          headers: { "content-type": "application/json", "content-length": Buffer.byteLength(payload) },
          timeout: this.timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("error", (e) => reject(e));
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            let parsed: { error?: string; message?: string } & Record<string, unknown>;
            try {
              parsed = JSON.parse(text);
            } catch {
              reject(new EtcdError(`${path}: HTTP ${res.statusCode}: ${text.slice(0, 200)}`));
              return;
            }
            if (res.statusCode !== 200 || parsed.error)
              reject(new EtcdError(`${path}: ${parsed.message ?? parsed.error ?? `HTTP ${res.statusCode}`}`));
            else resolve(parsed as T);
          });
        },
      );
      req.on("socket", (s) => {
        // A reused keep-alive socket is connected already.
        if (s.connecting) s.once("connect", () => (sent = true));
        else sent = true;
      });
      req.on("timeout", () => req.destroy(new OpTimeout(`${path}: no answer within ${this.timeoutMs} ms`)));
      req.on("error", (e: Error & { code?: string }) => {
        if (e instanceof OpTimeout) reject(e);
        else if (!sent && e.code === "ECONNREFUSED") reject(new DefiniteFailure(`${path}: ${e.message}`));
        else reject(new Error(`${path}: ${e.message}`));
      });
      req.end(payload);
    });
  }

  async get(key: string, serializable: boolean): Promise<string | null> {
    const r = await this.post<RangeReply>("/v3/kv/range", { key: b64(key), serializable });
    const kv = r.kvs?.[0];
    return kv ? unb64(kv.value ?? "") : null;
  }

  /** Every key under `prefix`, with values. */
  async list(prefix: string, serializable: boolean): Promise<KeyValue[]> {
    const r = await this.post<RangeReply>("/v3/kv/range", {
      key: b64(prefix),
      range_end: prefixEnd(prefix),
      serializable,
    });
    return (r.kvs ?? []).map((kv) => ({
      key: unb64(kv.key),
      value: unb64(kv.value ?? ""),
      mod_revision: kv.mod_revision,
    }));
  }

  async put(key: string, value: string): Promise<void> {
    await this.post("/v3/kv/put", { key: b64(key), value: b64(value) });
  }

  /** Sets `key` to `to` if it holds `from`, in one transaction; whether it did. */
  async compareAndSet(key: string, from: string, to: string): Promise<boolean> {
    const r = await this.post<{ succeeded?: boolean }>("/v3/kv/txn", {
      compare: [{ key: b64(key), target: "VALUE", result: "EQUAL", value: b64(from) }],
      success: [{ request_put: { key: b64(key), value: b64(to) } }],
    });
    return r.succeeded === true;
  }

  close(): void {
    this.agent.destroy();
  }
}
