/**
 * A FIFO queue: `enqueue x`, `dequeue` (null on invoke, the element on ok; an ok dequeue of
 * null means the queue was empty). The state is the queued canonical elements, oldest first.
 */
import type { Op } from "../history/op.ts";
import { canonical, hashString } from "./canonical.ts";
import { type Model, ModelInputError, type Outcome } from "./model.ts";

export interface QueueState {
  items: readonly string[];
  key: string;
}

export interface QueueInput {
  enqueue: boolean;
  /** enqueue: the element; ok dequeue: the element seen ("null": the queue was empty). */
  x: string;
  ok: boolean;
}

function makeQueue(items: readonly string[]): QueueState {
  return { items, key: items.join("\u0000") };
}

export const fifoQueueModel: Model<QueueState, QueueInput> = {
  name: "fifo-queue",
  description: "a FIFO queue: enqueue x, dequeue (null when empty)",
  fs: ["enqueue", "dequeue"],
  init(initial) {
    if (initial === null || initial === undefined) return makeQueue([]);
    if (!Array.isArray(initial)) {
      throw new ModelInputError(`--initial for fifo-queue must be an array, got ${JSON.stringify(initial)}`);
    }
    return makeQueue(initial.map(canonical));
  },
  prepare(invoke: Op, completion: Op | undefined, outcome: Outcome): QueueInput {
    const ok = outcome === "ok";
    if (invoke.f === "enqueue") return { enqueue: true, x: canonical(invoke.value), ok };
    if (invoke.f === "dequeue")
      return { enqueue: false, x: ok ? canonical(completion?.value ?? null) : "", ok };
    throw new ModelInputError(`unknown f "${invoke.f}" for model fifo-queue (expected enqueue, dequeue)`);
  },
  step(state, input) {
    if (input.enqueue) return makeQueue([...state.items, input.x]);
    if (state.items.length === 0) return input.ok && input.x === "null" ? state : undefined;
    // A crashed dequeue, if it happened, took whatever was at the head.
    if (input.ok && state.items[0] !== input.x) return undefined;
    return makeQueue(state.items.slice(1));
  },
  hash: (s) => hashString(s.key) ^ s.items.length,
  equal: (a, b) => a.items.length === b.items.length && a.key === b.key,
  describeState: (s) => `[${s.items.join(" ")}]`,
  describeOp: (input) =>
    input.enqueue ? `enqueue ${input.x}` : input.ok ? `dequeue ${input.x}` : "dequeue ?",
  readOnly: () => false,
  // An element is seen only by the dequeue that returns it; a crashed dequeue may affect anything later.
  canObserve: (q, o) => (o.enqueue ? !q.enqueue && q.ok && q.x === o.x : true),
};
