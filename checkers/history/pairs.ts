/**
 * Pairs each client invoke with its completion, process by process, and rejects histories that
 * are not well formed: a completion with no invoke before it, or a process invoking again while
 * its previous op is still pending (a process runs one op at a time; after a crash Jepsen gives
 * the client a new process id). Nemesis ops are not paired (Jepsen logs them as info/info).
 */
import { HistoryParseError } from "./errors.ts";
import { type History, NEMESIS, type Op } from "./op.ts";

export interface OpPair {
  invoke: Op;
  /** ok / fail / info; undefined when the history ends while the op is pending (same as info). */
  completion: Op | undefined;
  /** Positions in the history array (not `index`), for real-time order without `time`. */
  invokeAt: number;
  /** -1 when there is no completion. */
  completeAt: number;
}

function where(op: Op): string {
  return op.line !== undefined ? `line ${op.line}` : `index ${op.index}`;
}

/** Pairs in invoke order. Throws `HistoryParseError` naming the line of the offending op. */
export function pairOps(history: History, opts: { fileName?: string } = {}): OpPair[] {
  const pairs: OpPair[] = [];
  const pending = new Map<Op["process"], OpPair>();
  for (let i = 0; i < history.length; i++) {
    const op = history[i];
    if (op.process === NEMESIS) continue;
    const open = pending.get(op.process);
    if (op.type === "invoke") {
      if (open !== undefined) {
        throw new HistoryParseError(
          `process ${op.process} invokes "${op.f}" while its "${open.invoke.f}" from ${where(open.invoke)} is still pending; ` +
            "a process runs one operation at a time (give a crashed client a new process id)",
          { line: op.line, fileName: opts.fileName },
        );
      }
      const pair: OpPair = { invoke: op, completion: undefined, invokeAt: i, completeAt: -1 };
      pending.set(op.process, pair);
      pairs.push(pair);
      continue;
    }
    if (open === undefined) {
      throw new HistoryParseError(
        `"${op.type}" completion of "${op.f}" on process ${op.process} has no invoke before it`,
        { line: op.line, fileName: opts.fileName },
      );
    }
    if (open.invoke.f !== op.f) {
      throw new HistoryParseError(
        `completion "${op.f}" on process ${op.process} does not match its invoke "${open.invoke.f}" at ${where(open.invoke)}`,
        { line: op.line, fileName: opts.fileName },
      );
    }
    open.completion = op;
    open.completeAt = i;
    pending.delete(op.process);
  }
  return pairs;
}
