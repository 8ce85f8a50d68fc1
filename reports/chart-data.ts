/**
 * Data for the report's charts, computed at render time and embedded as JSON: latency over time
 * per region (ok / fail / info scatter), replication lag per region pair, and fault windows.
 * Large histories are downsampled per series (min and max of each time bucket, so spikes and
 * outliers survive) to keep the page fast on 100k-op runs.
 */
import type { OperationIndex } from "./operations.ts";
import { describeFault } from "./verdict-text.ts";
import { isNormalNoEffect } from "../checkers/no-effect.ts";

export interface LatencySeries {
  region: string;
  /** Seconds since the run started (invoke time); shared by the three series below. */
  x: number[];
  ok: (number | null)[];
  /** Definitely no effect as the op's normal answer (a cas whose compare did not match): not an error. */
  noEffect: (number | null)[];
  fail: (number | null)[];
  info: (number | null)[];
  /** Points before downsampling, and how many are drawn. */
  total: number;
  drawn: number;
}

export interface LagSeries {
  /** "us-east → eu-west" per series. */
  pairs: string[];
  x: number[];
  ys: (number | null)[][];
  total: number;
  drawn: number;
}

/** Any other measured signal in metrics.jsonl (conflict counters, failover time, ...), one chart per kind. */
export interface SignalSeries {
  kind: string;
  /** The numeric field drawn: ms, value or count. */
  field: string;
  names: string[];
  x: number[];
  ys: (number | null)[][];
}

export interface ChartData {
  faults: { start: number; stop: number | null; label: string }[];
  /** Seconds at the last op of the run. */
  end: number;
  latency: LatencySeries[];
  lag: LagSeries | null;
  signals: SignalSeries[];
}

type Point = [number, number];

/** Points kept per time bucket when downsampling: its min, its max, and evenly spaced ones between. */
const PER_BUCKET = 6;

/**
 * Keeps at most ~budget points of a series sorted by x: all if they fit; else, per time bucket,
 * the lowest and highest (so spikes and outliers survive) and evenly spaced points by position
 * (so the body of the distribution still shows).
 */
export function downsample(points: Point[], budget: number): Point[] {
  if (points.length <= budget) return points;
  const buckets = Math.max(1, Math.floor(budget / PER_BUCKET));
  const lo = points[0][0];
  const width = (points[points.length - 1][0] - lo) / buckets || 1;
  const out: Point[] = [];
  let start = 0;
  for (let b = 0; b < buckets && start < points.length; b++) {
    const limit = b === buckets - 1 ? Number.POSITIVE_INFINITY : lo + (b + 1) * width;
    let end = start;
    while (end < points.length && points[end][0] < limit) end++;
    const n = end - start;
    if (n <= PER_BUCKET) {
      for (let i = start; i < end; i++) out.push(points[i]);
    } else {
      let mn = start;
      let mx = start;
      for (let i = start; i < end; i++) {
        if (points[i][1] < points[mn][1]) mn = i;
        if (points[i][1] > points[mx][1]) mx = i;
      }
      const keep = new Set([mn, mx]);
      const step = n / (PER_BUCKET - 1);
      for (let k = 0; keep.size < PER_BUCKET && k < PER_BUCKET; k++)
        keep.add(start + Math.min(n - 1, Math.floor(k * step)));
      for (const i of [...keep].sort((a, c) => a - c)) out.push(points[i]);
    }
    start = end;
  }
  return out;
}

/** Merges named point series into uPlot's aligned form: one sorted x array, nulls where a series has no point. */
export function align(series: Point[][]): { x: number[]; ys: (number | null)[][] } {
  const tagged: [number, number, number][] = [];
  series.forEach((pts, s) => {
    for (const [x, y] of pts) tagged.push([x, s, y]);
  });
  tagged.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const x: number[] = [];
  const ys: (number | null)[][] = series.map(() => []);
  for (const [tx, s, y] of tagged) {
    // Points at the same x in different series share a column.
    const last = x.length - 1;
    if (last >= 0 && x[last] === tx && ys[s][last] === null) {
      ys[s][last] = y;
      continue;
    }
    x.push(tx);
    for (let i = 0; i < ys.length; i++) ys[i].push(i === s ? y : null);
  }
  return { x, ys };
}

const OK_BUDGET = 3000;
const BAD_BUDGET = 1200;
const LAG_BUDGET = 2000;

/** Pads aligned data with empty columns at 0 and at the end of the run, so every chart spans the whole run. */
function spanRun(x: number[], ys: (number | null)[][], end: number): void {
  if (!x.length || x[0] > 0) {
    x.unshift(0);
    for (const y of ys) y.unshift(null);
  }
  if (x[x.length - 1] < end) {
    x.push(end);
    for (const y of ys) y.push(null);
  }
}

/** Round to what a chart can show, so the embedded JSON stays small. */
function r3(v: number): number {
  return Math.round(v * 1000) / 1000;
}

export function chartData(ops: OperationIndex, metrics: object[] | undefined): ChartData {
  const toS = (ns: number) => (ops.hasTimes ? r3(ns / 1e9) : ns);
  let end = toS(ops.endTime);
  const byRegion = new Map<string, { ok: Point[]; noEffect: Point[]; fail: Point[]; info: Point[] }>();
  if (ops.hasTimes) {
    for (const iv of ops.intervals) {
      if (iv.completeTime === undefined) continue;
      const region = iv.region ?? "(no region)";
      let g = byRegion.get(region);
      if (!g) {
        g = { ok: [], noEffect: [], fail: [], info: [] };
        byRegion.set(region, g);
      }
      // Log-scale axis: a latency of 0 would vanish, so floor it at 1 µs.
      const series = isNormalNoEffect(iv) ? g.noEffect : g[iv.type];
      series.push([toS(iv.invokeTime), Math.max(0.001, r3((iv.completeTime - iv.invokeTime) / 1e6))]);
    }
  }
  const latency: LatencySeries[] = [...byRegion.entries()]
    .sort((a, b) => a[0].localeCompare(b[0]))
    .map(([region, g]) => {
      const total = g.ok.length + g.noEffect.length + g.fail.length + g.info.length;
      const parts = [
        downsample(g.ok, OK_BUDGET),
        downsample(g.noEffect, BAD_BUDGET),
        downsample(g.fail, BAD_BUDGET),
        downsample(g.info, BAD_BUDGET),
      ];
      const { x, ys } = align(parts);
      return {
        region,
        x,
        ok: ys[0],
        noEffect: ys[1],
        fail: ys[2],
        info: ys[3],
        total,
        drawn: parts.reduce((s, p) => s + p.length, 0),
      };
    });

  let lag: LagSeries | null = null;
  const lagPoints = new Map<string, Point[]>();
  for (const m of metrics ?? []) {
    const o = m as Record<string, unknown>;
    if (o.kind !== "lag" || typeof o.t !== "number" || typeof o.ms !== "number") continue;
    const pair = `${String(o.from ?? "?")} → ${String(o.to ?? "?")}`;
    const list = lagPoints.get(pair) ?? [];
    // A probe is recorded when it becomes visible, `ms` after it was written. Placed at the write,
    // a probe stuck behind a cut shows its lag where the cut began, not after the heal.
    list.push([r3(Math.max(0, o.t / 1e9 - o.ms / 1000)), r3(o.ms)]);
    lagPoints.set(pair, list);
  }
  if (lagPoints.size) {
    const pairs = [...lagPoints.keys()].sort();
    const parts = pairs.map((p) =>
      downsample(
        lagPoints.get(p)!.sort((a, b) => a[0] - b[0]),
        LAG_BUDGET,
      ),
    );
    const { x, ys } = align(parts);
    end = Math.max(end, x[x.length - 1] ?? 0);
    spanRun(x, ys, end);
    lag = {
      pairs,
      x,
      ys,
      total: pairs.reduce((s, p) => s + lagPoints.get(p)!.length, 0),
      drawn: parts.reduce((s, p) => s + p.length, 0),
    };
  }
  const signals = otherSignals(metrics ?? [], end);
  return {
    signals,
    faults: ops.faults.map((w) => ({
      start: toS(w.start),
      stop: w.stop === undefined ? null : toS(w.stop),
      label: describeFault(w),
    })),
    end,
    latency,
    lag,
  };
}

const SIGNAL_FIELDS = ["ms", "value", "count"];
const MAX_SIGNAL_KINDS = 6;

/** Metrics other than lag and latency, grouped by kind, one series per region / pair / node. */
function otherSignals(metrics: object[], end: number): SignalSeries[] {
  const kinds = new Map<string, { field: string; series: Map<string, Point[]> }>();
  for (const m of metrics) {
    const o = m as Record<string, unknown>;
    if (typeof o.kind !== "string" || o.kind === "lag" || o.kind === "latency" || typeof o.t !== "number")
      continue;
    let g = kinds.get(o.kind);
    const field = g?.field ?? SIGNAL_FIELDS.find((f) => typeof o[f] === "number");
    if (!field || typeof o[field] !== "number") continue;
    if (!g) {
      if (kinds.size >= MAX_SIGNAL_KINDS) continue;
      g = { field, series: new Map() };
      kinds.set(o.kind, g);
    }
    const name =
      o.from !== undefined && o.to !== undefined
        ? `${String(o.from)} → ${String(o.to)}`
        : String(o.region ?? o.node ?? o.name ?? o.kind);
    const list = g.series.get(name) ?? [];
    list.push([r3(o.t / 1e9), r3(o[field] as number)]);
    g.series.set(name, list);
  }
  return [...kinds.entries()].map(([kind, g]) => {
    const names = [...g.series.keys()].sort().slice(0, 12);
    const parts = names.map((nm) =>
      downsample(
        g.series.get(nm)!.sort((a, b) => a[0] - b[0]),
        LAG_BUDGET,
      ),
    );
    const { x, ys } = align(parts);
    spanRun(x, ys, end);
    return { kind, field: g.field, names, x, ys };
  });
}
