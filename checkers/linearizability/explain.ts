/**
 * Turns a failed search into a `NonlinearizableAnomaly`: the op the search could not get past,
 * the longest legal order found, the ops concurrent with the failing one, the states the model
 * could be in just before it, and a sentence saying so.
 */
import type { Op } from "../history/op.ts";
import type { AnyModel } from "../models/model.ts";
import type { LinOp, LinStep, NonlinearizableAnomaly } from "./explanation.ts";
import type { LinRecord, Partition } from "./partition.ts";

/** Keep the anomaly readable: the tail of the linearization, the nearest concurrent ops. */
const MAX_STEPS = 40;
const MAX_CONCURRENT = 50;

export function linOp(r: LinRecord): LinOp {
  const ok = r.outcome === "ok";
  const op: LinOp = {
    id: r.invoke.index,
    process: r.invoke.process,
    f: r.invoke.f,
    value: ok && r.completion !== undefined ? r.completion.value : r.invoke.value,
    outcome: r.outcome,
    start: r.start,
    end: ok ? r.end : null,
  };
  if (r.invoke.line !== undefined) op.invokeLine = r.invoke.line;
  if (r.completion?.line !== undefined) op.completeLine = r.completion.line;
  return op;
}

function where(op: LinOp): string {
  if (op.invokeLine === undefined) return `index ${op.id}`;
  return op.completeLine === undefined
    ? `line ${op.invokeLine}`
    : `lines ${op.invokeLine}-${op.completeLine}`;
}

function orList(items: string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} or ${items[items.length - 1]}`;
}

export interface FailedSearch {
  stuckOp: number;
  path: number[];
  pathStates: unknown[];
  statesBefore: unknown[];
  /** Refuted because no op invoked before it returns could have produced a state it needs. */
  noProducer?: boolean;
}

export function explainFailure(
  model: AnyModel,
  partition: Partition,
  failure: FailedSearch,
  timeUnit: "ns" | "position",
): NonlinearizableAnomaly {
  const recs = partition.records;
  const stuck = recs[failure.stuckOp];
  const op = linOp(stuck);
  const placed = new Set(failure.path);
  const steps: LinStep[] = failure.path.map((i, k) => ({
    op: linOp(recs[i]),
    stateAfter: model.describeState(failure.pathStates[k]),
  }));
  const omitted = Math.max(0, steps.length - MAX_STEPS);

  const concurrentAll: { rec: LinRecord; i: number }[] = [];
  recs.forEach((r, i) => {
    if (i !== failure.stuckOp && r.start <= stuck.end && r.end >= stuck.start)
      concurrentAll.push({ rec: r, i });
  });
  // Nearest in time first when there are too many to show.
  concurrentAll.sort((a, b) => Math.abs(a.rec.start - stuck.start) - Math.abs(b.rec.start - stuck.start));
  const concurrent = concurrentAll
    .slice(0, MAX_CONCURRENT)
    .sort((a, b) => a.rec.start - b.rec.start)
    .map(({ rec, i }) => ({ ...linOp(rec), linearized: placed.has(i) }));

  const states = failure.statesBefore.map((s) => model.describeState(s));
  const what = model.describeOp(stuck.input);
  const subject = partition.label === "history" ? "" : ` on ${partition.label}`;
  const crashed = recs.some((r) => r.outcome === "info");
  const explanation = failure.noProducer
    ? `${what} by process ${String(op.process)} (${where(op)})${subject} cannot be linearized: ` +
      `it is impossible in the initial state of the ${model.name}, and no operation that could have ` +
      "produced what it observes was invoked before it returned (written by nobody, only by failed " +
      `operations, or only later). ${concurrentAll.length} operation(s) overlap it in time.`
    : `${what} by process ${String(op.process)} (${where(op)})${subject} cannot be linearized: ` +
      "it must take effect before it returns, but every legal order of the operations before it " +
      `leaves the ${model.name} in ${states.length === 1 ? "state" : "one of the states"} ${orList(states)}` +
      `${crashed ? " (crashed operations that nothing observed left out)" : ""}, where ${what} is impossible. ` +
      `The longest legal order found places ${steps.length} operation(s); ` +
      `${concurrentAll.length} operation(s) overlap it in time.`;

  const ops: Op[] = [];
  for (const r of [stuck, ...concurrentAll.slice(0, MAX_CONCURRENT).map((c) => c.rec)]) {
    ops.push(r.invoke);
    if (r.completion !== undefined) ops.push(r.completion);
  }
  ops.sort((a, b) => a.index - b.index);

  const anomaly: NonlinearizableAnomaly = {
    type: "nonlinearizable",
    model: model.name,
    explanation,
    op,
    linearization: steps.slice(omitted),
    linearizationOmitted: omitted,
    concurrent,
    statesBefore: states,
    timeUnit,
    ops: ops.map(({ line: _line, ...rest }) => rest as Op),
  };
  if (partition.hasKey) anomaly.key = partition.key;
  if (partition.resources !== undefined) anomaly.registers = partition.resources;
  return anomaly;
}
