/**
 * The counter checker, with Jepsen's semantics (jepsen.checker/counter): a counter starts at 0,
 * `add` ops change it by their value and `read` ops return it. Each ok read must lie within
 *   [sum of acknowledged adds completed before the read was invoked,
 *    sum of every add that may have happened (ok or info) invoked before the read completed].
 * Failed adds definitely did not happen and count for neither bound. Decrements (negative adds,
 * which a Jepsen variant of this checker allows) work the other way round: every decrement that
 * may have happened before the read completed lowers the lower bound, and only those
 * acknowledged before the read began lower the upper bound. Without decrements this is exactly
 * Jepsen's [lower value upper]. A read outside its bounds is a `counter-out-of-range`.
 *
 * Several counters are checked independently by `key`. Real-time order is the order of the
 * history, as everywhere in faultline.
 *
 * `finalReadsOnly`: judge only the reads marked `final` (made after faults healed and replication
 * quiesced). For eventually consistent counters (a CRDT read locally) a read during the run may
 * lag by design; whether increments were lost shows in the converged reads.
 */
import type { Checker } from "./checker.ts";
import { HistoryParseError } from "./history/errors.ts";
import type { History, Op } from "./history/op.ts";
import { pairOps } from "./history/pairs.ts";
import type { Anomaly, CheckerResult } from "./verdict.ts";

/** One ok read with the bounds it was judged against, as Jepsen's `[lower value upper]`. */
export interface CounterRead {
  key: unknown;
  lower: number;
  value: number;
  upper: number;
  op: Op;
}

/** Running sums per counter: increments and decrements, acknowledged and possibly applied. */
interface Bounds {
  incAcked: number;
  incAttempted: number;
  decAcked: number;
  decAttempted: number;
}

const whereOf = (op: Op) => (op.line !== undefined ? `line ${op.line}` : `index ${op.index}`);

function delta(op: Op): number {
  const v = op.value;
  if (typeof v !== "number" || !Number.isFinite(v)) {
    throw new HistoryParseError(
      `counter checker: "add" needs a number as its value (the increment), got ${JSON.stringify(v)}`,
      { line: op.line },
    );
  }
  return v;
}

export interface CounterOptions {
  finalReadsOnly?: boolean;
}

export function checkCounter(history: History, opts: CounterOptions = {}): CheckerResult {
  const pairs = pairOps(history);
  // What happens at each position of the history: invokes and completions in real-time order.
  const invokedAt: (number | undefined)[] = new Array(history.length);
  const completedAt: (number | undefined)[] = new Array(history.length);
  pairs.forEach((p, i) => {
    invokedAt[p.invokeAt] = i;
    if (p.completeAt >= 0) completedAt[p.completeAt] = i;
  });

  const bounds = new Map<string, Bounds>();
  const boundsOf = (op: Op): Bounds => {
    const k = JSON.stringify(op.key ?? null);
    let b = bounds.get(k);
    if (!b) bounds.set(k, (b = { incAcked: 0, incAttempted: 0, decAcked: 0, decAttempted: 0 }));
    return b;
  };
  // Per read (pair index): acknowledged increments and decrements when it was invoked.
  const ackedAtInvoke = new Map<number, { inc: number; dec: number }>();
  const reads: CounterRead[] = [];
  let adds = 0;
  let failedAdds = 0;

  for (let pos = 0; pos < history.length; pos++) {
    const inv = invokedAt[pos];
    if (inv !== undefined) {
      const p = pairs[inv]!;
      if (p.invoke.f === "add") {
        const d = delta(p.invoke);
        adds++;
        if (p.completion?.type === "fail") failedAdds++;
        else {
          const b = boundsOf(p.invoke);
          if (d >= 0) b.incAttempted += d;
          else b.decAttempted += d;
        }
      } else if (p.invoke.f === "read") {
        const b = boundsOf(p.invoke);
        ackedAtInvoke.set(inv, { inc: b.incAcked, dec: b.decAcked });
      }
    }
    const done = completedAt[pos];
    if (done === undefined) continue;
    const p = pairs[done]!;
    const c = p.completion!;
    if (p.invoke.f === "add" && c.type === "ok") {
      const d = delta(p.invoke);
      const b = boundsOf(p.invoke);
      if (d >= 0) b.incAcked += d;
      else b.decAcked += d;
    } else if (p.invoke.f === "read" && c.type === "ok" && (!opts.finalReadsOnly || c.final === true)) {
      if (typeof c.value !== "number" || !Number.isFinite(c.value)) {
        throw new HistoryParseError(
          `counter checker: an ok "read" needs the counter's value (a number), got ${JSON.stringify(c.value)}`,
          { line: c.line },
        );
      }
      const b = boundsOf(p.invoke);
      const atInvoke = ackedAtInvoke.get(done)!;
      reads.push({
        key: p.invoke.key,
        lower: atInvoke.inc + b.decAttempted,
        value: c.value,
        upper: b.incAttempted + atInvoke.dec,
        op: c,
      });
    }
  }

  const errors = reads.filter((r) => !(r.lower <= r.value && r.value <= r.upper));
  const anomalies: Anomaly[] = errors.map((r) => {
    const keyText = r.key === undefined ? "the counter" : `counter ${JSON.stringify(r.key)}`;
    const why =
      r.value < r.lower
        ? `below ${r.lower}, the sum of the increments acknowledged before the read began (less any decrement that may have happened)`
        : `above ${r.upper}, the sum of every increment that could have happened before the read completed (less the decrements acknowledged before it began)`;
    return {
      type: "counter-out-of-range",
      key: r.key,
      explanation: `The read of ${keyText} at ${whereOf(r.op)} returned ${r.value}, ${why} (allowed: ${r.lower}..${r.upper}).`,
      ops: [r.op],
      op: r.op,
      lower: r.lower,
      value: r.value,
      upper: r.upper,
    };
  });
  // Jepsen's furthest-out read, for a one-line summary.
  const worst = errors.reduce<CounterRead | undefined>((w, r) => {
    const off = (x: CounterRead) => Math.max(x.lower - x.value, x.value - x.upper);
    return w === undefined || off(r) > off(w) ? r : w;
  }, undefined);
  return {
    valid: errors.length === 0,
    anomalyTypes: errors.length ? ["counter-out-of-range"] : [],
    anomalies,
    // Jepsen's shape: [lower value upper] per read.
    reads: reads.map((r) => [r.lower, r.value, r.upper]),
    errors: errors.map((r) => [r.lower, r.value, r.upper]),
    ...(worst ? { maxAbsoluteError: [worst.lower, worst.value, worst.upper] } : {}),
    stats: { counters: bounds.size, reads: reads.length, adds, failedAdds, outOfRange: errors.length },
  };
}

export const counterChecker: Checker = {
  name: "counter",
  description:
    "Counter (Jepsen's counter): each read within [acknowledged adds before it, attempted adds up to it]",
  check: (history, options) => checkCounter(history, { finalReadsOnly: options.finalReadsOnly === true }),
};
