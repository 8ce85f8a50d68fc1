/**
 * The register workload through a cache tier (the stale-cache scenarios): cache-aside in front of
 * PostgreSQL, one Redis per region (region-caches.ts), as an application would do it.
 * - read: GET from the cache of the region the session is in now; on a miss, read the node the
 *   routing picked and SET the value with a TTL (`ttlMs`; 0 means no cache: every read goes to the
 *   node). `sliding`: a hit renews the TTL (GETEX), so an entry read often never expires.
 * - write / cas: on the node; then, with `invalidate`, in every region's cache bump the key's
 *   generation and delete the entry before the write is acknowledged. A fill WATCHes the generation
 *   from before its database read and sets only if no write came in between (else a fill that read
 *   the old row could put it back after the delete).
 * Without invalidation an entry is stale from the next write until it expires: the expected cost,
 * at most the TTL for a fixed TTL; a sliding TTL has no bound.
 */
import { Redis } from "ioredis";
import type { RegisterClient } from "../../../workloads/register.ts";
import { DefiniteFailure } from "../../../workloads/outcome.ts";
import type { NodeAddress } from "../../backends/backend.ts";
import type { RegionName } from "../../topology.ts";

export interface CacheOptions {
  ttlMs: number;
  invalidate: boolean;
  sliding: boolean;
}

/** A process's connections to the region caches, one per region, opened on first use. */
export class CacheConnections {
  private readonly conns = new Map<RegionName, Redis>();

  constructor(
    private readonly regions: RegionName[],
    private readonly address: (region: RegionName) => NodeAddress,
    private readonly password: string,
    private readonly timeoutMs: number,
  ) {}

  in(region: RegionName): Redis {
    let r = this.conns.get(region);
    if (!r) {
      const a = this.address(region);
      r = new Redis({
        host: a.host,
        port: a.port,
        password: this.password,
        connectTimeout: this.timeoutMs,
        commandTimeout: this.timeoutMs,
        maxRetriesPerRequest: 0,
        enableOfflineQueue: true,
      });
      r.on("error", () => {}); // each command's rejection reports it
      this.conns.set(region, r);
    }
    return r;
  }

  all(): Redis[] {
    return this.regions.map((r) => this.in(r));
  }

  close(): void {
    for (const r of this.conns.values()) r.disconnect();
    this.conns.clear();
  }
}

const entry = (key: number) => `register:${key}`;
const generation = (key: number) => `register-gen:${key}`;
const encode = (v: number | null) => (v === null ? "nil" : String(v));
const decode = (s: string) => (s === "nil" ? null : Number(s));

export class CacheAsideRegisterClient implements RegisterClient {
  constructor(
    private readonly db: RegisterClient,
    private readonly caches: CacheConnections,
    /** The region the session is in now (a region switch moves it). */
    private readonly region: () => RegionName,
    private readonly o: CacheOptions,
  ) {}

  async read(key: number): Promise<number | null> {
    if (this.o.ttlMs <= 0) return this.db.read(key);
    const cache = this.caches.in(this.region());
    let hit: string | null;
    try {
      hit = this.o.sliding ? await cache.getex(entry(key), "PX", this.o.ttlMs) : await cache.get(entry(key));
    } catch (err) {
      throw new DefiniteFailure(`cache in ${this.region()}: ${(err as Error).message}`);
    }
    if (hit !== null) return decode(hit);
    if (!this.o.invalidate) {
      const v = await this.db.read(key);
      await cache.set(entry(key), encode(v), "PX", this.o.ttlMs);
      return v;
    }
    // Guarded fill: only if no write bumped the generation since before the database read.
    await cache.watch(generation(key));
    try {
      const v = await this.db.read(key);
      await cache.multi().set(entry(key), encode(v), "PX", this.o.ttlMs).exec();
      return v;
    } finally {
      await cache.unwatch().catch(() => {});
    }
  }

  async write(key: number, value: number): Promise<void> {
    await this.db.write(key, value);
    await this.invalidate(key);
  }

  async cas(key: number, from: number, to: number): Promise<boolean> {
    const ok = await this.db.cas(key, from, to);
    if (ok) await this.invalidate(key);
    return ok;
  }

  /** Every region's entry for `key` goes, before the write is acknowledged. A failure here leaves
   *  the write done but unacknowledged (its outcome is then unknown to the checkers). */
  private async invalidate(key: number): Promise<void> {
    if (!this.o.invalidate || this.o.ttlMs <= 0) return;
    await Promise.all(this.caches.all().map((c) => c.multi().incr(generation(key)).del(entry(key)).exec()));
  }

  async close(): Promise<void> {}
}
