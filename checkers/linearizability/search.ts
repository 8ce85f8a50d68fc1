/**
 * The Wing–Gong search with Lowe's memoisation, over one partition (one key, or one group of
 * registers) of a history.
 *
 * Every op becomes a call entry and, if it completed ok, a return entry, sorted in real-time
 * order (calls before returns at equal times: intervals are closed, so an op that starts at
 * the instant another ends is concurrent with it). Walking the list from the front, the search
 * tries to linearize each call it meets (apply it to the model, remove its entries); meeting a
 * return entry means that op had to take effect by now and could not, so it backtracks. It
 * succeeds once every ok op is linearized. Info ops have no return entry: they may take effect
 * at any time after their call, or never.
 *
 * The list is a doubly linked list in typed arrays; the linearized set is a bitset with an
 * incremental hash; model states are interned integers with cached transitions. The hot loop
 * allocates nothing.
 *
 * Crashed ops are the classic way such searches blow up (each may or may not have happened, at
 * any later point). An info op whose effect no remaining op could observe is dropped: once every
 * op that the model says may observe it is linearized, linearizing it later cannot help, so it is
 * removed from the list (and put back on backtracking). And identical crashed ops are
 * interchangeable once both are invoked, so only the earliest-invoked of a group of identical
 * pending info ops is ever tried next (symmetry reduction). Nor is a blind write placed right
 * after a crashed op: that crashed op might as well not have happened, an order also tried.
 *
 * Refuting can still take exponential time when many crashed ops are pending. When the search
 * stays stuck at one op for a while, it checks a necessary condition cheaply: an op that is
 * illegal in the initial state needs some op invoked before it returns that could have produced
 * the state it saw (Model.canObserve). A read of a value never written, or written only by a
 * failed op or by one invoked after the read returned, fails that at once.
 */
import type { AnyModel } from "../models/model.ts";
import { ConfigMemo, MEMO_OUT_OF_MEMORY } from "./memo.ts";
import { ILLEGAL, StateTable } from "./states.ts";

export interface SearchOp {
  input: unknown;
  ok: boolean;
  /** Call position (time or history position). */
  start: number;
  /** Return position; Infinity for info ops. */
  end: number;
}

export interface SearchLimits {
  /** `performance.now()` value after which the search gives up. */
  deadline: number;
  memoryLimitBytes: number;
}

export interface SearchStats {
  ops: number;
  /** Info ops dropped before the search: reads with unknown results, effects nobody observed. */
  droppedInfo: number;
  steps: number;
  configurations: number;
  states: number;
  memoBytes: number;
}

export type SearchResult =
  | { valid: true; stats: SearchStats }
  | {
      valid: false;
      /** Index (into the ops given) of the op that could not be linearized. */
      stuckOp: number;
      /** The longest partial linearization found, as op indexes, and the state after each. */
      path: number[];
      pathStates: unknown[];
      /** Distinct states in which the search was stuck at `stuckOp` (capped). */
      statesBefore: unknown[];
      /** True when `stuckOp` was refuted because no op could have produced a state it needs. */
      noProducer?: boolean;
      stats: SearchStats;
    }
  | { valid: "unknown"; reason: string; stats: SearchStats };

const MAX_STATES_BEFORE = 8;
const CLOCK_EVERY = 4096;

/** Deterministic Zobrist words, so runs (and the explanation re-run) are reproducible. */
function zobrist(n: number, seed: number): Int32Array {
  const z = new Int32Array(n);
  let x = seed | 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    z[i] = x;
  }
  return z;
}

export function searchPartition(
  model: AnyModel,
  initial: unknown,
  allOps: readonly SearchOp[],
  limits: SearchLimits,
): SearchResult {
  // Info ops that change nothing constrain nothing.
  const keep: number[] = [];
  for (let i = 0; i < allOps.length; i++) {
    if (allOps[i].ok || !model.readOnly(allOps[i].input)) keep.push(i);
  }
  const ops = keep.map((i) => allOps[i]);
  const prepared = prepare(model, ops, limits.deadline);
  if (prepared === undefined) {
    const stats = { ops: ops.length, droppedInfo: 0, steps: 0, configurations: 0, states: 0, memoBytes: 0 };
    return { valid: "unknown", reason: "time limit", stats };
  }
  const dropped = allOps.length - ops.length + prepared.droppedInfo;
  const t0 = performance.now();
  const first = run(model, initial, prepared, limits, -1);
  first.stats.droppedInfo = dropped;
  if (first.valid !== false) return first;
  // Re-run to capture the partial linearization at the furthest point (copying it on every
  // improvement during the first run would cost O(n) each time). The verdict is already
  // known, so the re-run may overrun the deadline, by at most about the first run's time.
  const again = run(
    model,
    initial,
    prepared,
    {
      ...limits,
      deadline: Math.max(limits.deadline, performance.now() + 2 * (performance.now() - t0) + 100),
    },
    first.stuckEntry,
  );
  const orig = (p: number): number => keep[prepared.origOp[p]];
  return {
    valid: false,
    stuckOp: orig(first.stuckOp),
    path: again.path.map(orig),
    pathStates: again.pathStates,
    statesBefore: first.statesBefore,
    noProducer: first.noProducer,
    stats: first.stats,
  };
}

interface Prepared {
  /** Ops kept for the search (after dropping unobserved info ops); origOp maps back. */
  n: number;
  origOp: Int32Array;
  inputs: unknown[];
  isOk: Uint8Array;
  /** Entries sorted in real-time order: op index and whether it is the call. */
  entryOp: Int32Array;
  entryIsCall: Uint8Array;
  callEntry: Int32Array;
  retEntry: Int32Array;
  /** Return entries of ok ops, ascending: the frontier is the first one not linearized. */
  okRets: Int32Array;
  /** Info ops that expire, by expiry (a return entry index): gone once the frontier passes it. */
  infoByExpiry: Int32Array;
  expiry: Int32Array;
  /** For info ops: the previous info op (by call) with an identical input, or -1. */
  twin: Int32Array;
  /** 1 for blind writes (see Model.blindWrite). */
  blind: Uint8Array;
  droppedInfo: number;
}

/** Undefined when the deadline passed while computing expiries. */
function prepare(model: AnyModel, ops: readonly SearchOp[], deadline: number): Prepared | undefined {
  // Sort events once with every op, to compute expiries in entry positions.
  const order = sortedEntries(ops);
  const m = ops.length;
  const retPos = new Float64Array(m).fill(Number.POSITIVE_INFINITY);
  const callPos = new Float64Array(m);
  order.forEach(([op, isCall], pos) => {
    if (isCall) callPos[op] = pos;
    else retPos[op] = pos;
  });
  const expiry = computeExpiry(model, ops, callPos, retPos, deadline);
  if (expiry === undefined) return undefined;

  // Drop info ops nobody can observe, then build the entry list over what is left.
  const origOp: number[] = [];
  for (let i = 0; i < m; i++) if (ops[i].ok || expiry[i] >= 0) origOp.push(i);
  const n = origOp.length;
  const newIndex = new Int32Array(m).fill(-1);
  origOp.forEach((o, k) => {
    newIndex[o] = k;
  });
  const entries = order.filter(([op]) => newIndex[op] >= 0);
  const E = entries.length;
  const entryOp = new Int32Array(E);
  const entryIsCall = new Uint8Array(E);
  const callEntry = new Int32Array(n);
  const retEntry = new Int32Array(n).fill(-1);
  const okRets: number[] = [];
  // Old entry position -> new, to translate expiries.
  const posMap = new Float64Array(order.length);
  let k = 0;
  order.forEach(([op, isCall], pos) => {
    posMap[pos] = k;
    if (newIndex[op] < 0) return;
    const p = newIndex[op];
    entryOp[k] = p;
    entryIsCall[k] = isCall ? 1 : 0;
    if (isCall) callEntry[p] = k;
    else {
      retEntry[p] = k;
      okRets.push(k);
    }
    k++;
  });
  const isOk = new Uint8Array(n);
  const exp = new Int32Array(n).fill(E);
  const expiring: number[] = [];
  for (let p = 0; p < n; p++) {
    const o = origOp[p];
    isOk[p] = ops[o].ok ? 1 : 0;
    if (!ops[o].ok && Number.isFinite(expiry[o])) {
      // Expiry was a return position among all entries; it maps to the same op's new position.
      exp[p] = posMap[expiry[o]];
      expiring.push(p);
    }
  }
  expiring.sort((a, b) => exp[a] - exp[b]);
  const twin = new Int32Array(n).fill(-1);
  const lastSame = new Map<string, number>();
  for (let e = 0; e < E; e++) {
    const p = entryOp[e];
    if (entryIsCall[e] === 0 || isOk[p] === 1) continue;
    const id = model.describeOp(ops[origOp[p]].input);
    twin[p] = lastSame.get(id) ?? -1;
    lastSame.set(id, p);
  }
  const blind = new Uint8Array(n);
  if (model.blindWrite !== undefined) {
    for (let p = 0; p < n; p++) blind[p] = model.blindWrite(ops[origOp[p]].input) ? 1 : 0;
  }
  return {
    n,
    origOp: Int32Array.from(origOp),
    inputs: origOp.map((o) => ops[o].input),
    isOk,
    entryOp,
    entryIsCall,
    callEntry,
    retEntry,
    okRets: Int32Array.from(okRets),
    infoByExpiry: Int32Array.from(expiring),
    expiry: exp,
    twin,
    blind,
    droppedInfo: m - n,
  };
}

/** [op, isCall] in real-time order; calls before returns at equal positions (closed intervals). */
function sortedEntries(ops: readonly SearchOp[]): [number, boolean][] {
  const entries: [number, boolean, number][] = [];
  ops.forEach((op, i) => {
    entries.push([i, true, op.start]);
    if (op.ok) entries.push([i, false, op.end]);
  });
  entries.sort((a, b) => a[2] - b[2] || (a[1] === b[1] ? a[0] - b[0] : a[1] ? -1 : 1));
  return entries.map(([i, c]) => [i, c]);
}

/**
 * For each info op, the last return position of an op that may observe it (-1: none, drop it;
 * Infinity: never expires). Info observers pass on their own expiry (a crashed cas from v
 * observes a crashed write of v, and is itself observed later).
 */
function computeExpiry(
  model: AnyModel,
  ops: readonly SearchOp[],
  callPos: Float64Array,
  retPos: Float64Array,
  deadline: number,
): Float64Array | undefined {
  const m = ops.length;
  const expiry = new Float64Array(m).fill(Number.POSITIVE_INFINITY);
  const infos: number[] = [];
  for (let i = 0; i < m; i++) if (!ops[i].ok) infos.push(i);
  if (infos.length === 0) return expiry;
  const infoObservers: number[][] = [];
  for (const o of infos) {
    // O(infos x ops): watch the clock so a history with many crashed ops cannot hang here.
    if (performance.now() > deadline) return undefined;
    let e = -1;
    const deps: number[] = [];
    for (let q = 0; q < m; q++) {
      if (q === o) continue;
      if (ops[q].ok) {
        if (retPos[q] >= callPos[o] && retPos[q] > e && model.canObserve(ops[q].input, ops[o].input))
          e = retPos[q];
      } else if (model.canObserve(ops[q].input, ops[o].input)) {
        deps.push(q);
      }
    }
    expiry[o] = e;
    infoObservers.push(deps);
  }
  // Propagate through info observers until nothing changes (chains are short in practice).
  for (let changed = true; changed;) {
    if (performance.now() > deadline) return undefined;
    changed = false;
    infos.forEach((o, j) => {
      for (const q of infoObservers[j]) {
        if (expiry[q] > expiry[o]) {
          expiry[o] = expiry[q];
          changed = true;
        }
      }
    });
  }
  return expiry;
}

interface RunResult {
  valid: boolean | "unknown";
  reason: string;
  noProducer?: boolean;
  stuckEntry: number;
  stuckOp: number;
  statesBefore: unknown[];
  path: number[];
  pathStates: unknown[];
  stats: SearchStats;
}

function run(
  model: AnyModel,
  initial: unknown,
  p: Prepared,
  limits: SearchLimits,
  captureAt: number,
): RunResult {
  const { n, entryOp, entryIsCall, callEntry, retEntry, okRets, infoByExpiry, expiry, isOk, twin, blind } = p;
  const E = entryOp.length;
  const HEAD = E;
  const next = new Int32Array(E + 1);
  const prev = new Int32Array(E + 1);
  for (let e = 0; e < E; e++) {
    next[e] = e + 1 < E ? e + 1 : -1;
    prev[e] = e === 0 ? HEAD : e - 1;
  }
  next[HEAD] = E > 0 ? 0 : -1;
  prev[HEAD] = -1;

  // One spare word that stays zero, so the set is never all ones (see ConfigMemo's window).
  const words = ((n + 31) >>> 5) + 1;
  const bits = new Uint32Array(words);
  // Bounds on the stored window: no word below loHint is partly empty, none above hiHint is set.
  let loHint = 0;
  let hiHint = 0;
  const z1 = zobrist(n, 0x2545f491);
  const z2 = zobrist(n, 0x6b43a9b5);
  const table = new StateTable(model, p.inputs);
  const memo = new ConfigMemo(limits.memoryLimitBytes);

  // The stack of linearized ops, with what to restore when popping each.
  const stOp = new Int32Array(n + 1);
  const stState = new Int32Array(n + 1);
  const stFront = new Int32Array(n + 1);
  const stExp = new Int32Array(n + 1);
  const stUndo = new Int32Array(n + 1);
  const undo = new Int32Array(infoByExpiry.length + 1);
  let sp = 0;
  let undoLen = 0;
  let expPtr = 0;
  let front = 0;
  const nOkRets = okRets.length;
  const nExp = infoByExpiry.length;

  let state = table.intern(initial);
  let h1 = 0;
  let h2 = 0;
  let okLeft = nOkRets;
  let steps = 0;
  let clock = CLOCK_EVERY;
  let best = -1;
  let bestStates: number[] = [];
  // The stuck point seen at the last clock tick, and the last one checked for a producer.
  let lastBest = -1;
  let checkedBest = -1;
  const initialState = table.intern(initial);
  const result = (valid: boolean | "unknown", reason = ""): RunResult => ({
    valid,
    reason,
    stuckEntry: best,
    stuckOp: best >= 0 ? entryOp[best] : -1,
    statesBefore: bestStates.map((s) => table.states[s]),
    path: [],
    pathStates: [],
    stats: {
      ops: n,
      droppedInfo: 0,
      steps,
      configurations: memo.size,
      states: table.states.length,
      memoBytes: memo.bytes() + table.bytes(),
    },
  });

  // Removes entry e from the list; `unlink` must be undone in reverse order.
  const unlink = (e: number): void => {
    const pe = prev[e];
    const ne = next[e];
    next[pe] = ne;
    if (ne !== -1) prev[ne] = pe;
  };
  const relink = (e: number): void => {
    next[prev[e]] = e;
    if (next[e] !== -1) prev[next[e]] = e;
  };
  // Info ops whose observers are all linearized leave the list. They also join the set (and
  // its hash): with the state, what remains to be placed is the same as if they had been
  // linearized, and it keeps the set a short window (see ConfigMemo).
  const expire = (): void => {
    const frontier = front < nOkRets ? okRets[front] : E;
    while (expPtr < nExp && expiry[infoByExpiry[expPtr]] < frontier) {
      const o = infoByExpiry[expPtr++];
      if ((bits[o >>> 5] & (1 << (o & 31))) === 0) {
        unlink(callEntry[o]);
        undo[undoLen++] = o;
        bits[o >>> 5] |= 1 << (o & 31);
        if (o >>> 5 > hiHint) hiHint = o >>> 5;
        h1 ^= z1[o];
        h2 ^= z2[o];
      }
    }
  };
  expire();
  if (okLeft === 0) return result(true);

  let e = next[HEAD];
  for (;;) {
    if (--clock === 0) {
      clock = CLOCK_EVERY;
      // Stuck at the same op for a whole tick: is it impossible whatever the order?
      if (best >= 0 && best === lastBest && best !== checkedBest) {
        checkedBest = best;
        if (captureAt < 0 && !producible(entryOp[best])) {
          const r = result(false);
          r.noProducer = true;
          return r;
        }
      }
      lastBest = best;
      if (performance.now() > limits.deadline) return result("unknown", "time limit");
    }
    steps++;
    if (e === -1) return result(true);
    const op = entryOp[e];
    if (entryIsCall[e] === 1) {
      const tw = twin[op];
      if (tw >= 0 && (bits[tw >>> 5] & (1 << (tw & 31))) === 0) {
        // An identical crashed op invoked earlier is still unplaced: try that one instead.
        e = next[e];
        continue;
      }
      if (blind[op] === 1 && sp > 0 && isOk[stOp[sp - 1]] === 0) {
        // A crashed op immediately overwritten: no better than leaving it out (tried too).
        e = next[e];
        continue;
      }
      const ns = table.next(state, op);
      if (ns !== ILLEGAL) {
        const a = h1 ^ z1[op];
        const b = h2 ^ z2[op];
        const w = op >>> 5;
        bits[w] |= 1 << (op & 31);
        if (w > hiHint) hiHint = w;
        while (bits[loHint] === 0xffffffff) loHint++;
        if (hiHint < loHint) hiHint = loHint;
        while (hiHint > loHint && bits[hiHint] === 0) hiHint--;
        const added = memo.add(a, b, ns, bits, loHint, hiHint - loHint + 1);
        if (added === 1) {
          stOp[sp] = op;
          stState[sp] = state;
          stFront[sp] = front;
          stExp[sp] = expPtr;
          stUndo[sp] = undoLen;
          sp++;
          state = ns;
          h1 = a;
          h2 = b;
          unlink(e);
          if (isOk[op] === 1) {
            unlink(retEntry[op]);
            if (--okLeft === 0) return result(true);
            while (
              front < nOkRets &&
              (bits[entryOp[okRets[front]] >>> 5] & (1 << (entryOp[okRets[front]] & 31))) !== 0
            ) {
              front++;
            }
            if (nExp > 0) expire();
          }
          e = next[HEAD];
          continue;
        }
        bits[w] &= ~(1 << (op & 31));
        if (w < loHint) loHint = w;
        if (added === MEMO_OUT_OF_MEMORY) return result("unknown", "memory limit");
      }
      e = next[e];
      continue;
    }
    // A return entry: this op had to be linearized by now.
    if (e > best) {
      best = e;
      bestStates = [state];
    } else if (e === best && bestStates.length < MAX_STATES_BEFORE && !bestStates.includes(state)) {
      bestStates.push(state);
    }
    if (e === captureAt) return capture(result(false));
    if (sp === 0) return result(false);
    sp--;
    const top = stOp[sp];
    state = stState[sp];
    h1 ^= z1[top];
    h2 ^= z2[top];
    bits[top >>> 5] &= ~(1 << (top & 31));
    if (top >>> 5 < loHint) loHint = top >>> 5;
    while (undoLen > stUndo[sp]) {
      const o = undo[--undoLen];
      relink(callEntry[o]);
      bits[o >>> 5] &= ~(1 << (o & 31));
      if (o >>> 5 < loHint) loHint = o >>> 5;
      h1 ^= z1[o];
      h2 ^= z2[o];
    }
    expPtr = stExp[sp];
    front = stFront[sp];
    if (isOk[top] === 1) {
      relink(retEntry[top]);
      okLeft++;
    }
    relink(callEntry[top]);
    e = next[callEntry[top]];
  }

  /**
   * Could ok op q be legal at some point? It is if legal in the initial state, or if some op
   * invoked before q returns may have produced what q observes. Only "false" is a verdict.
   */
  function producible(q: number): boolean {
    if (table.next(initialState, q) !== ILLEGAL) return true;
    const qr = retEntry[q];
    const qin = p.inputs[q];
    for (let o = 0; o < n; o++) {
      if (o !== q && callEntry[o] < qr && model.canObserve(qin, p.inputs[o])) return true;
    }
    return false;
  }

  function capture(r: RunResult): RunResult {
    const path: number[] = [];
    const pathStates: unknown[] = [];
    for (let i = 0; i < sp; i++) {
      path.push(stOp[i]);
      pathStates.push(table.states[i + 1 < sp ? stState[i + 1] : state]);
    }
    r.path = path;
    r.pathStates = pathStates;
    return r;
  }
}
