/**
 * Where each client process sends its writes and reads. The runner asks before every operation
 * ("which node does process p in region r write to now?"); a failover fault moves the primary,
 * with a window during which some processes still write to the old one, as clients do while DNS
 * or a service registry converges (the seeds' "split-brain traffic routing").
 *
 * Which processes lag is decided by a hash of the seed and the process id, not by timing, so a
 * replay sends the same processes to the same node.
 */
import { Prng } from "../generator/prng.ts";
import type { RegionName, TopologySpec } from "../topology.ts";

export interface RouterOptions {
  /** The node that takes writes at the start. */
  primary: string;
  /** The node each region's clients read from; regions not listed read from the primary. */
  localReads?: Record<RegionName, string>;
  seed: number;
  /** Milliseconds on a monotonic clock; injectable for tests. */
  now?: () => number;
}

export interface RoutingWindow {
  from: string;
  to: string;
  untilMs: number;
  splitFraction: number;
}

export class Router {
  private current: string;
  private window: RoutingWindow | undefined;
  private homeWindow: { homes: RegionName[]; untilMs: number; splitFraction: number } | undefined;
  private switchWindow: { regions: RegionName[]; untilMs: number; fraction: number } | undefined;
  private readonly localReads: Record<RegionName, string>;
  private readonly seed: number;
  private readonly now: () => number;
  /** Every routing change, for the report and for tests. */
  readonly changes: Array<{ atMs: number; what: string }> = [];

  constructor(opts: RouterOptions) {
    this.current = opts.primary;
    this.localReads = { ...(opts.localReads ?? {}) };
    this.seed = opts.seed;
    this.now = opts.now ?? (() => performance.now());
  }

  /** A router for a topology: writes to its primary, reads from the first node of each region. */
  static forTopology(topology: TopologySpec, seed: number, now?: () => number): Router {
    const primary = topology.nodes.find((n) => n.role === "primary") ?? topology.nodes[0];
    if (!primary) throw new Error("Router: the topology has no nodes");
    const localReads: Record<RegionName, string> = {};
    for (const n of topology.nodes) localReads[n.region] ??= n.name;
    return new Router({ primary: primary.name, localReads, seed, now });
  }

  /** The node that takes writes now, for everyone who has converged. */
  get primary(): string {
    return this.current;
  }

  /** Whether this process still routes to the old primary during a failover window. */
  isLagging(process: number): boolean {
    const w = this.window;
    if (!w || this.now() >= w.untilMs) return false;
    return new Prng(this.seed).fork(`routing-${process}`).float() < w.splitFraction;
  }

  /** The node process `process` (in `region`) writes to now. */
  writeTarget(process: number, _region: RegionName): string {
    return this.isLagging(process) ? this.window!.from : this.current;
  }

  /** The node it reads from: its region's local node, or the write target where the region has none. */
  readTarget(process: number, region: RegionName): string {
    return this.localReads[region] ?? this.writeTarget(process, region);
  }

  /** Moves writes to `to`; for `windowMs`, a `splitFraction` of processes still write to the old primary. */
  failover(to: string, windowMs: number, splitFraction: number): RoutingWindow {
    if (!(splitFraction >= 0 && splitFraction <= 1)) {
      throw new Error(`Router.failover: splitFraction must be within [0, 1], got ${splitFraction}`);
    }
    const from = this.current;
    this.current = to;
    this.window = { from, to, untilMs: this.now() + windowMs, splitFraction };
    this.changes.push({ atMs: this.now(), what: `writes ${from} -> ${to}, split for ${windowMs} ms` });
    return this.window;
  }

  /**
   * The region process `process` sends a write of a key homed in `home` to (home-region routing).
   * Its home, except during a dns-split window: a lagging share of processes then resolves keys of
   * the split homes to the next region in the layout, the wrong one.
   */
  homeTarget(process: number, home: RegionName, regions: readonly RegionName[]): RegionName {
    const w = this.homeWindow;
    if (!w || this.now() >= w.untilMs || !w.homes.includes(home)) return home;
    if (new Prng(this.seed).fork(`dns-${process}`).float() >= w.splitFraction) return home;
    return regions[(regions.indexOf(home) + 1) % regions.length] ?? home;
  }

  /** Opens a dns-split window: for `windowMs`, a `splitFraction` of processes write keys homed in
   *  `homes` to the wrong region. */
  splitHomes(homes: RegionName[], windowMs: number, splitFraction: number): void {
    if (!(splitFraction >= 0 && splitFraction <= 1))
      throw new Error(`Router.splitHomes: splitFraction must be within [0, 1], got ${splitFraction}`);
    this.homeWindow = { homes, untilMs: this.now() + windowMs, splitFraction };
    this.changes.push({
      atMs: this.now(),
      what: `writes of keys homed in ${homes.join(", ")} split: ${Math.round(splitFraction * 100)}% to the wrong region for ${windowMs} ms`,
    });
  }

  /** Ends a dns-split window: every key's writes go to its home again. */
  convergeHomes(): void {
    if (this.homeWindow) this.changes.push({ atMs: this.now(), what: "home routing converged" });
    this.homeWindow = undefined;
  }

  /**
   * The region process `process` (homed in `home`) is in now: its home, except during a
   * region-switch window, when a seeded share of sessions is in the next region of the layout (a
   * DNS change, a VPN, a mobile network moved them) and reaches nodes through that region's links.
   */
  regionOf(process: number, home: RegionName): RegionName {
    const w = this.switchWindow;
    if (!w || this.now() >= w.untilMs || !w.regions.includes(home)) return home;
    if (new Prng(this.seed).fork(`switch-${process}`).float() >= w.fraction) return home;
    return w.regions[(w.regions.indexOf(home) + 1) % w.regions.length] ?? home;
  }

  /** Opens a region-switch window: for `windowMs`, a `fraction` of every region's sessions are in
   *  the next region of `regions`. */
  switchRegions(regions: RegionName[], windowMs: number, fraction: number): void {
    if (!(fraction >= 0 && fraction <= 1))
      throw new Error(`Router.switchRegions: fraction must be within [0, 1], got ${fraction}`);
    this.switchWindow = { regions, untilMs: this.now() + windowMs, fraction };
    this.changes.push({
      atMs: this.now(),
      what: `${Math.round(fraction * 100)}% of sessions switched to the next region (${regions.join(" -> ")} -> ${regions[0]}) for ${windowMs} ms`,
    });
  }

  /** Ends a region-switch window: every session is back in its home region. */
  endRegionSwitch(): void {
    if (this.switchWindow)
      this.changes.push({ atMs: this.now(), what: "sessions back in their home regions" });
    this.switchWindow = undefined;
  }

  /** Ends a routing window early: every process now writes to the current primary. */
  converge(): void {
    if (this.window) this.changes.push({ atMs: this.now(), what: `routing converged on ${this.current}` });
    this.window = undefined;
  }

  /** Points writes at `node` for everyone, at once (no window). */
  setPrimary(node: string): void {
    this.current = node;
    this.window = undefined;
    this.changes.push({ atMs: this.now(), what: `writes -> ${node}` });
  }
}
