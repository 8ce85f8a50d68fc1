/**
 * How stale reads were: for every ok read of a register that returned a value some acknowledged
 * write had definitely replaced before the read began, how long before (the seeds' bounded-staleness
 * question: "how stale, and how often"). The distribution per region is a signal of every register
 * run; the `staleness` checker turns a bound into a verdict (`stale-read` past it), so a cache with
 * a TTL can state its expected cost (stale within the TTL) apart from its finding (stale beyond it).
 *
 * "Definitely replaced" is what real time proves, as in the session checker: value v (written by Wv)
 * is replaced by W when Wv completed before W was invoked, or v is the initial nil and W was written.
 * The read should at least have seen the first such W acknowledged before the read was invoked, so
 * its staleness is (read invoked) - (that W acknowledged): a lower bound on how long v had been out
 * of date. Concurrent writes never count, values written by an op that never completed ok are never
 * replaced (their order is unknown), and a value nobody wrote is left to other checkers.
 */
import type { Checker, CheckOptions } from "./checker.ts";
import { pairOps } from "./history/pairs.ts";
import { type History, NEMESIS, type Op } from "./history/op.ts";
import type { Anomaly, CheckerResult } from "./verdict.ts";

/** One read that returned a replaced value. */
export interface StaleRead {
  key: unknown;
  region: string;
  node?: string;
  process: Op["process"];
  /** What it returned, and the first acknowledged value that had replaced it. */
  value: unknown;
  shouldHaveSeen: unknown;
  /** ms from that write's acknowledgement to the read's invoke; null when the history has no times. */
  staleMs: number | null;
  read: Op;
  write: Op;
}

export interface RegionStaleness {
  /** ok reads judged, stale ones among them. */
  reads: number;
  stale: number;
  staleMs: { p50: number; p95: number; p99: number; max: number };
}

export interface Staleness {
  regions: Record<string, RegionStaleness>;
  /** Every stale read, in history order. */
  staleReads: StaleRead[];
}

interface W {
  value: unknown;
  invokedAt: number;
  completedAt: number;
  op: Op;
}

const REGISTER_FS = new Set(["read", "write", "cas"]);

function writtenValue(op: Op): unknown {
  if (op.f === "write") return op.value;
  if (op.f === "cas" && Array.isArray(op.value)) return op.value[1];
  return undefined;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const round = (x: number) => Math.round(x * 100) / 100;

/** Whether this is a register history (read/write/cas), which staleness is defined on. */
export function isRegisterHistory(history: History): boolean {
  let any = false;
  for (const op of history) {
    if (op.process === NEMESIS) continue;
    if (!REGISTER_FS.has(op.f)) return false;
    any = true;
  }
  return any;
}

export function computeStaleness(history: History): Staleness {
  const pairs = pairOps(history);
  const timed = history.every((o) => o.process === NEMESIS || o.time !== undefined);
  // Real time: `time` (ns) where the history has it, else the position.
  const at = (op: Op | undefined, pos: number) => (timed && op?.time !== undefined ? op.time : pos);

  // Per key: acknowledged writes sorted by invoke, with the suffix minimum of their acknowledgement,
  // so "the first write invoked after c and acknowledged" is one binary search away.
  const byKey = new Map<string, { ok: W[]; suffixMin: number[]; byValue: Map<string, W> }>();
  const keyOf = (op: Op) => JSON.stringify(op.key ?? null);
  for (const p of pairs) {
    const v = writtenValue(p.invoke);
    if (v === undefined || p.completion?.type === "fail") continue;
    const k = keyOf(p.invoke);
    let e = byKey.get(k);
    if (!e) byKey.set(k, (e = { ok: [], suffixMin: [], byValue: new Map() }));
    const ok = p.completion?.type === "ok";
    const w: W = {
      value: v,
      invokedAt: at(p.invoke, p.invokeAt),
      completedAt: ok ? at(p.completion, p.completeAt) : Number.POSITIVE_INFINITY,
      op: p.completion ?? p.invoke,
    };
    e.byValue.set(JSON.stringify(v), w);
    if (ok) e.ok.push(w);
  }
  for (const e of byKey.values()) {
    e.ok.sort((a, b) => a.invokedAt - b.invokedAt);
    e.suffixMin = new Array(e.ok.length);
    let min = Number.POSITIVE_INFINITY;
    for (let i = e.ok.length - 1; i >= 0; i--) {
      min = Math.min(min, e.ok[i]!.completedAt);
      e.suffixMin[i] = min;
    }
  }
  /** The earliest-acknowledged write invoked strictly after `after`. */
  const firstReplacing = (e: { ok: W[]; suffixMin: number[] }, after: number): W | undefined => {
    let lo = 0;
    let hi = e.ok.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (e.ok[mid]!.invokedAt > after) hi = mid;
      else lo = mid + 1;
    }
    if (lo >= e.ok.length) return undefined;
    const target = e.suffixMin[lo]!;
    for (let i = lo; i < e.ok.length; i++) if (e.ok[i]!.completedAt === target) return e.ok[i];
    return undefined;
  };

  const staleReads: StaleRead[] = [];
  const perRegion = new Map<string, { reads: number; ms: number[]; stale: number }>();
  for (const p of pairs) {
    const c = p.completion;
    if (p.invoke.f !== "read" || c?.type !== "ok") continue;
    const region = String(c.region ?? p.invoke.region ?? "unknown");
    let r = perRegion.get(region);
    if (!r) perRegion.set(region, (r = { reads: 0, ms: [], stale: 0 }));
    r.reads++;
    const e = byKey.get(keyOf(p.invoke));
    if (!e) continue;
    const readAt = at(p.invoke, p.invokeAt);
    let replacedAfter: number;
    if (c.value === null || c.value === undefined) replacedAfter = Number.NEGATIVE_INFINITY;
    else {
      const wv = e.byValue.get(JSON.stringify(c.value));
      // Unknown value: not ours to judge. Never acknowledged: nothing definitely replaced it.
      if (!wv || wv.completedAt === Number.POSITIVE_INFINITY) continue;
      replacedAfter = wv.completedAt;
    }
    const w = firstReplacing(e, replacedAfter);
    if (!w || !(w.completedAt < readAt)) continue;
    r.stale++;
    const staleMs = timed ? round((readAt - w.completedAt) / 1e6) : null;
    if (staleMs !== null) r.ms.push(staleMs);
    staleReads.push({
      key: p.invoke.key,
      region,
      node: c.node ?? p.invoke.node,
      process: c.process,
      value: c.value ?? null,
      shouldHaveSeen: w.value,
      staleMs,
      read: c,
      write: w.op,
    });
  }
  const regions: Record<string, RegionStaleness> = {};
  for (const [region, r] of perRegion) {
    const sorted = r.ms.sort((a, b) => a - b);
    regions[region] = {
      reads: r.reads,
      stale: r.stale,
      staleMs: {
        p50: percentile(sorted, 50),
        p95: percentile(sorted, 95),
        p99: percentile(sorted, 99),
        max: sorted[sorted.length - 1] ?? 0,
      },
    };
  }
  staleReads.sort((a, b) => (a.read.index ?? 0) - (b.read.index ?? 0));
  return { regions, staleReads };
}

/** A stale read in words, with its age: what the report shows beside the fault it happened under. */
export function describeStaleRead(s: StaleRead): string {
  const age = s.staleMs === null ? "" : `, ${s.staleMs} ms after`;
  return (
    `process ${s.process} in ${s.region} read ${JSON.stringify(s.value)} from key ${JSON.stringify(s.key)}` +
    `${s.node ? ` on ${s.node}` : ""}${age} ${JSON.stringify(s.shouldHaveSeen)} had replaced it and was acknowledged` +
    `${s.staleMs === null ? " before the read began" : ""}: stale by ${s.staleMs ?? "?"} ms.`
  );
}

/**
 * Bounded staleness: every read at most `staleBoundMs` stale (default 0: none stale at all). Stale
 * reads within the bound are the configuration's stated cost, counted in stats; past it, each is a
 * `stale-read` anomaly with its age.
 */
export function checkStaleness(history: History, options: CheckOptions = {}): CheckerResult {
  if (!isRegisterHistory(history)) {
    throw new Error("staleness checker: it checks register histories (read, write, cas)");
  }
  const bound = options.staleBoundMs ?? 0;
  const s = computeStaleness(history);
  const beyond = s.staleReads.filter((r) => r.staleMs === null || r.staleMs > bound);
  const anomalies: Anomaly[] = beyond.map((r) => ({
    type: "stale-read",
    key: r.key,
    region: r.region,
    staleMs: r.staleMs,
    explanation: `${describeStaleRead(r)}${bound > 0 ? ` The bound is ${bound} ms.` : ""}`,
    ops: [r.write, r.read],
  }));
  const reads = Object.values(s.regions).reduce((n, r) => n + r.reads, 0);
  return {
    valid: anomalies.length === 0,
    anomalyTypes: anomalies.length ? ["stale-read"] : [],
    anomalies: anomalies.slice(0, 100),
    stats: {
      reads,
      stale: s.staleReads.length,
      withinBound: s.staleReads.length - beyond.length,
      beyondBound: beyond.length,
      boundMs: bound,
      maxStaleMs: Math.max(0, ...s.staleReads.map((r) => r.staleMs ?? 0)),
    },
  };
}

export const stalenessChecker: Checker = {
  name: "staleness",
  description:
    "Bounded staleness on registers: reads of a value an acknowledged write had replaced more than --stale-bound ms before",
  check: (history, options) => checkStaleness(history, options),
};
