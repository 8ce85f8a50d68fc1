/** Operation counts and latency percentiles, overall and per region. */
import { isNormalNoEffect } from "../checkers/no-effect.ts";
import type { OpInterval } from "./operations.ts";

export interface OpCounts {
  ops: number;
  ok: number;
  /** Failed with an error: definitely no effect, but not the op's normal answer. */
  fail: number;
  /** Definitely no effect as the op's normal answer (cas-mismatch): not an error. */
  noEffect: number;
  info: number;
  /** Latency percentiles of completed ops in ms; undefined without times. */
  p50?: number;
  p95?: number;
  p99?: number;
  max?: number;
}

export interface CountTable {
  total: OpCounts;
  /** Keyed by region ("(none)" for ops without one), sorted by name. */
  regions: [string, OpCounts][];
  /** Keyed by f. */
  fs: [string, OpCounts][];
}

function percentile(sorted: number[], p: number): number | undefined {
  if (!sorted.length) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function summarise(list: OpInterval[], hasTimes: boolean): OpCounts {
  const c: OpCounts = { ops: list.length, ok: 0, fail: 0, noEffect: 0, info: 0 };
  const lat: number[] = [];
  for (const iv of list) {
    if (isNormalNoEffect(iv)) c.noEffect++;
    else c[iv.type]++;
    if (hasTimes && iv.completeTime !== undefined) lat.push((iv.completeTime - iv.invokeTime) / 1e6);
  }
  if (lat.length) {
    lat.sort((a, b) => a - b);
    c.p50 = percentile(lat, 50);
    c.p95 = percentile(lat, 95);
    c.p99 = percentile(lat, 99);
    c.max = lat[lat.length - 1];
  }
  return c;
}

function groupBy(list: OpInterval[], key: (iv: OpInterval) => string): Map<string, OpInterval[]> {
  const m = new Map<string, OpInterval[]>();
  for (const iv of list) {
    const k = key(iv);
    const g = m.get(k);
    if (g) g.push(iv);
    else m.set(k, [iv]);
  }
  return m;
}

export function countOps(intervals: OpInterval[], hasTimes: boolean): CountTable {
  const regions = [...groupBy(intervals, (iv) => iv.region ?? "(none)").entries()]
    .sort((a, b) => a[0].localeCompare(b[0]))
    .map(([k, v]) => [k, summarise(v, hasTimes)] as [string, OpCounts]);
  const fs = [...groupBy(intervals, (iv) => iv.f).entries()]
    .sort((a, b) => a[0].localeCompare(b[0]))
    .map(([k, v]) => [k, summarise(v, hasTimes)] as [string, OpCounts]);
  return { total: summarise(intervals, hasTimes), regions, fs };
}
