/**
 * Builds concurrent histories whose operations each take effect atomically at one moment between
 * their invoke and completion: the valid histories the bank, counter and long-fork properties
 * start from (before planting an anomaly). A seeded schedule interleaves a few processes; an op
 * may fail before taking effect (fail), or crash after (info, with a fresh process id after it).
 */
import fc from "fast-check";
import type { History, Op } from "../../checkers/history/op.ts";

export interface Step<S> {
  f: string;
  /** The invoke's value. */
  value: unknown;
  /** Applies the op to the state at its moment of effect; returns the completion's value. */
  apply(state: S): unknown;
}

/** Choices that drive one schedule: which process moves next, and how pending ops end. */
export const scheduleArb = fc.array(fc.nat(), { minLength: 20, maxLength: 200 });

export function atomicHistory<S>(
  state: S,
  nextStep: (state: S, choice: number) => Step<S>,
  choices: number[],
  processes = 3,
): History {
  const h: History = [];
  const rec = (o: Omit<Op, "index">) => h.push({ index: h.length, ...o } as Op);
  type Pending = { step: Step<S>; applied: boolean; result?: unknown };
  const pending = new Map<number, Pending>();
  const ids = Array.from({ length: processes }, (_, i) => i);
  let nextId = processes;
  for (const c of choices) {
    const slot = c % processes;
    const p = ids[slot]!;
    const open = pending.get(p);
    if (!open) {
      const step = nextStep(state, c >> 2);
      rec({ type: "invoke", process: p, f: step.f, value: step.value });
      pending.set(p, { step, applied: false });
    } else if (!open.applied) {
      if (c % 11 === 0 && open.step.f !== "read") {
        rec({ type: "fail", process: p, f: open.step.f, value: open.step.value });
        pending.delete(p);
      } else {
        open.result = open.step.apply(state);
        open.applied = true;
      }
    } else {
      const crash = c % 13 === 0 && open.step.f !== "read";
      rec({ type: crash ? "info" : "ok", process: p, f: open.step.f, value: open.result });
      pending.delete(p);
      if (crash) ids[slot] = nextId++;
    }
  }
  // Ops still pending at the end may or may not have taken effect: their outcome stays unknown.
  return h;
}
