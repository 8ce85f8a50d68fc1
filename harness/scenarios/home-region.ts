/**
 * Home-region ownership (the seeds' geo-partitioning): every key belongs to one region, the only
 * one that should write it. One rule, used by the routing of `writes: "home"` and by the stores
 * that seed each key's row on its home node (so the row's replication origin is its home).
 */
import type { RegionName } from "../topology.ts";

/** The home of `key` among `regions` (in the layout's order): keys are dealt round-robin. */
export function homeRegion(key: number, regions: readonly RegionName[]): RegionName {
  if (regions.length === 0) throw new Error("homeRegion: no regions");
  if (!Number.isInteger(key)) throw new Error(`homeRegion: key must be an integer, got ${key}`);
  return regions[((key % regions.length) + regions.length) % regions.length]!;
}
