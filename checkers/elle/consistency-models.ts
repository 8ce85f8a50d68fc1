/**
 * The consistency-model lattice and which anomalies each model forbids, after Elle
 * (elle.consistency-model), Adya's "Weak Consistency", Bailis et al.'s "Highly Available
 * Transactions", Cerone et al. and Daudjee & Salem. Names are the friendly ones users type
 * (`serializable`, not `PL-3`); `canonicalModel` accepts the Adya aliases too.
 *
 * Three graphs, each as "a -> [b...]":
 * - MODELS: a history satisfying a also satisfies b (a is stronger).
 * - IMPLIED: anomaly a is also an instance of anomaly b (G0 is a G1c; lost-update is a G2-item).
 * - FORBIDS: what a model directly rules out, beyond what the weaker models it implies rule out.
 */

type Dag = Record<string, readonly string[]>;

const MODELS: Dag = {
  "strict-serializable": [
    "serializable",
    "linearizable",
    "snapshot-isolation",
    "strong-snapshot-isolation",
    "strong-session-serializable",
    "session-serializable",
  ],
  serializable: ["repeatable-read", "snapshot-isolation", "update-serializable", "view-serializable"],
  "strong-session-serializable": ["serializable", "strong-session-snapshot-isolation"],
  "session-serializable": ["1SR"],
  "strong-snapshot-isolation": ["strong-session-snapshot-isolation", "strong-read-committed"],
  "strong-session-snapshot-isolation": ["snapshot-isolation", "strong-session-read-committed"],
  "snapshot-isolation": [
    "forward-consistent-view",
    "monotonic-atomic-view",
    "monotonic-snapshot-read",
    "parallel-snapshot-isolation",
    "prefix",
  ],
  "update-serializable": ["forward-consistent-view"],
  "forward-consistent-view": ["consistent-view"],
  "consistent-view": ["cursor-stability", "monotonic-view"],
  "repeatable-read": ["cursor-stability", "monotonic-atomic-view"],
  "cursor-stability": ["read-committed"],
  "monotonic-view": ["read-committed"],
  "monotonic-snapshot-read": ["read-committed"],
  "monotonic-atomic-view": ["read-committed"],
  "parallel-snapshot-isolation": ["causal-cerone", "update-atomic"],
  prefix: ["causal-cerone"],
  "causal-cerone": ["read-atomic"],
  "update-atomic": ["read-atomic"],
  "read-atomic": ["monotonic-atomic-view"],
  "read-committed": ["read-uncommitted"],
  "strong-read-committed": ["strong-session-read-committed", "strong-read-uncommitted"],
  "strong-session-read-committed": ["read-committed", "strong-session-read-uncommitted"],
  "strong-read-uncommitted": ["strong-session-read-uncommitted"],
  "strong-session-read-uncommitted": ["read-uncommitted"],
  linearizable: ["sequential"],
  sequential: ["causal"],
  causal: ["writes-follow-reads", "PRAM"],
  PRAM: ["monotonic-reads", "monotonic-writes", "read-your-writes"],
};

const IMPLIED: Dag = {
  G0: ["G1c", "G0-process"],
  "G0-process": ["G1c-process", "G0-realtime"],
  "G0-realtime": ["G1c-realtime"],
  G1a: ["G1"],
  G1b: ["G1"],
  G1c: ["G1", "G1c-process"],
  "G1c-process": ["G1c-realtime", "G1-process"],
  "G1c-realtime": ["G1-realtime"],
  G1: ["G1-process"],
  "G1-process": ["G1-realtime"],
  // A cycle with one anti-dependency in the DSG has one in the SSG too (Adya).
  "G-single": ["G-nonadjacent", "G-single-process", "G-SIb"],
  "G-SIa": ["G-SI"],
  "G-SIb": ["G-SI"],
  "G-single-process": ["G-nonadjacent-process", "G-single-realtime"],
  "G-single-realtime": ["G-nonadjacent-realtime"],
  // Our G-single and G-nonadjacent cycles use item (key) edges only, never predicates, so they
  // are also G2-item (Elle's G-single-item / G-nonadjacent-item): repeatable read forbids them.
  "G-nonadjacent": ["G2", "G2-item", "G-nonadjacent-process"],
  "G-nonadjacent-process": ["G2-process", "G2-item-process", "G-nonadjacent-realtime"],
  "G-nonadjacent-realtime": ["G2-realtime", "G2-item-realtime"],
  G2: ["G2-process"],
  "G2-item": ["G2", "G2-item-process"],
  "G2-item-process": ["G2-process", "G2-item-realtime"],
  "G2-item-realtime": ["G2-realtime"],
  "G2-process": ["G2-realtime"],
  // Two committed reads that cannot come from one timeline imply someone read dirty state.
  "incompatible-order": ["G1a"],
  // A read of a write the transaction performs later is a trivial wr cycle, T1 -wr-> T1.
  "future-read": ["G1c"],
  // Like a dirty read, but a committed write built on an aborted one.
  "dirty-update": ["G1a"],
  "lost-update": ["write-skew", "G2-item"],
  "write-skew": ["G2"],
};

const FORBIDS: Dag = {
  "read-uncommitted": ["G0", "duplicate-elements", "cyclic-versions", "garbage-read"],
  "read-committed": ["G1"],
  "cursor-stability": ["G1", "G-cursor", "lost-update"],
  "monotonic-view": ["G1", "G-monotonic"],
  "monotonic-snapshot-read": ["G1", "G-MSR"],
  "consistent-view": ["G1", "G-single"],
  "forward-consistent-view": ["G1", "G-SIb"],
  "repeatable-read": ["G1", "G2-item", "lost-update"],
  "snapshot-isolation": ["internal", "G1", "G-SI", "G-nonadjacent"],
  serializable: ["internal", "G1", "G2", "predicate-read-miss"],
  "update-serializable": ["G1", "G-update"],
  "strict-serializable": ["G1", "G1c-realtime", "G2-realtime"],
  "causal-cerone": ["internal", "G1a"],
  "parallel-snapshot-isolation": ["internal", "G1a"],
  prefix: ["internal", "G1a"],
  "read-atomic": ["internal", "G1a", "future-read"],
  "update-atomic": ["lost-update"],
  "strong-session-read-uncommitted": ["G0-process"],
  "strong-session-read-committed": ["G1c-process"],
  "strong-read-uncommitted": ["G0-realtime"],
  "strong-read-committed": ["G1c-realtime"],
  "strong-session-snapshot-isolation": ["internal", "G1-process", "G-nonadjacent-process"],
  "strong-snapshot-isolation": ["internal", "G1-realtime", "G-nonadjacent-realtime"],
  "strong-session-serializable": ["G1-process", "G2-process"],
};

const ALIASES: Record<string, string> = {
  // Elle's earlier name for update-atomic (Liu et al.'s ROLA).
  ROLA: "update-atomic",
  "PL-1": "read-uncommitted",
  "PL-2": "read-committed",
  "PL-2.99": "repeatable-read",
  "PL-3": "serializable",
  "conflict-serializable": "serializable",
  "PL-SS": "strict-serializable",
  "strong-serializable": "strict-serializable",
  "PL-SI": "snapshot-isolation",
  "PL-CS": "cursor-stability",
  "PL-2+": "consistent-view",
  "PL-FCV": "forward-consistent-view",
  "PL-MSR": "monotonic-snapshot-read",
  "PL-2L": "monotonic-view",
  "PL-3U": "update-serializable",
  "strong-session-PL-1": "strong-session-read-uncommitted",
  "strong-session-PL-2": "strong-session-read-committed",
  "strong-PL-1": "strong-read-uncommitted",
  "strong-PL-2": "strong-read-committed",
};

function reverse(dag: Dag): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [a, bs] of Object.entries(dag)) {
    for (const b of bs) {
      const list = out.get(b) ?? [];
      list.push(a);
      out.set(b, list);
    }
  }
  return out;
}

const MODELS_IN = reverse(MODELS);
const IMPLIED_IN = reverse(IMPLIED);
const FORBIDDEN_BY = reverse(FORBIDS);

/** Everything reachable from `start` (inclusive) by following `next`. */
function closure(start: Iterable<string>, next: (x: string) => readonly string[] | undefined): Set<string> {
  const seen = new Set<string>();
  const stack = [...start];
  while (stack.length > 0) {
    const x = stack.pop()!;
    if (seen.has(x)) continue;
    seen.add(x);
    for (const y of next(x) ?? []) stack.push(y);
  }
  return seen;
}

/** Every model name we know, aliases included, sorted. */
export const KNOWN_MODELS: readonly string[] = [
  ...new Set([
    ...Object.keys(MODELS),
    ...Object.values(MODELS).flat(),
    ...Object.keys(FORBIDS),
    ...Object.keys(ALIASES),
  ]),
].sort();

/** The friendly name for a model or its alias; throws with the list of known models otherwise. */
export function canonicalModel(name: string): string {
  const m = ALIASES[name] ?? name;
  if (!KNOWN_MODELS.includes(m)) {
    throw new Error(
      `unknown consistency model '${name}'; models Elle can check: ${CHECKABLE_MODELS.join(", ")}`,
    );
  }
  return m;
}

/** The models a history satisfying `model` also satisfies (inclusive). */
export function impliedModels(model: string): Set<string> {
  return closure([canonicalModel(model)], (m) => MODELS[m]);
}

/** Every anomaly that would show `model` does not hold (directly forbidden, or implying one that is). */
export function anomaliesProhibitedBy(model: string): Set<string> {
  const direct = [...impliedModels(model)].flatMap((m) => FORBIDS[m] ?? []);
  return closure(direct, (a) => IMPLIED_IN.get(a));
}

/**
 * Models a transactional history can be checked against: those that forbid some anomaly we
 * detect. Single-object models (linearizable, PRAM, ...) appear in the lattice only to relate.
 */
export const CHECKABLE_MODELS: readonly string[] = KNOWN_MODELS.filter(
  (m) => !(m in ALIASES) && anomaliesProhibitedBy(m).size > 0,
);

/** Like canonicalModel, but also refuses models that no transactional anomaly can refute. */
export function checkableModel(name: string): string {
  const m = canonicalModel(name);
  if (anomaliesProhibitedBy(m).size === 0) {
    throw new Error(
      `consistency model '${name}' is not one Elle can check on transactions (it constrains single objects, ` +
        `or nothing we detect); models Elle can check: ${CHECKABLE_MODELS.join(", ")}`,
    );
  }
  return m;
}

/** The anomalies that `anomaly` is also an instance of (inclusive). */
export function impliedAnomalies(anomalies: Iterable<string>): Set<string> {
  return closure(anomalies, (a) => IMPLIED[a]);
}

export interface Boundary {
  /** The weakest models the anomalies rule out. */
  not: string[];
  /** The stronger models, also ruled out. */
  alsoNot: string[];
}

/** Which models the anomalies rule out: the weakest (`not`) and all the stronger ones (`alsoNot`). */
export function boundary(anomalies: Iterable<string>): Boundary {
  const direct = [...impliedAnomalies(anomalies)].flatMap((a) => FORBIDDEN_BY.get(a) ?? []);
  const impossible = closure(direct, (m) => MODELS_IN.get(m));
  const not: string[] = [];
  const alsoNot: string[] = [];
  for (const m of impossible) {
    // m is among the weakest if no other impossible model is implied by it.
    const below = closure(MODELS[m] ?? [], (x) => MODELS[x]);
    if ([...below].some((x) => impossible.has(x))) alsoNot.push(m);
    else not.push(m);
  }
  return { not: not.sort(), alsoNot: alsoNot.sort() };
}

/** Edge classes a model needs in the dependency graph: process order, real-time order. */
export function graphNeeds(model: string): { process: boolean; realtime: boolean } {
  const p = anomaliesProhibitedBy(model);
  const realtime = [...p].some((a) => a.endsWith("-realtime"));
  const process = realtime || [...p].some((a) => a.endsWith("-process"));
  return { process, realtime };
}
