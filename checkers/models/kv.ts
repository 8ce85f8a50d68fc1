/**
 * A string key-value store as Redis GET/SET/APPEND: `get` (null on invoke, the string or null
 * on ok), `put`/`set` v, `append` s. Each independent key is its own object, so the state here
 * is one key's value. `--initial` is a value for every key, or a `{key: value}` map.
 */
import type { Op } from "../history/op.ts";
import { hashString } from "./canonical.ts";
import { type Model, ModelInputError, type Outcome } from "./model.ts";

const GET = 0;
const PUT = 1;
const APPEND = 2;

export interface KvInput {
  kind: typeof GET | typeof PUT | typeof APPEND;
  /** get: the string read (null: missing); put: value (null deletes); append: suffix. */
  a: string | null;
  ok: boolean;
}

// Redis stores strings; a number written is read back as its decimal text.
function str(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  return typeof v === "string" ? v : typeof v === "object" ? JSON.stringify(v) : String(v);
}

const FS = ["get", "put", "append"] as const;

export const kvModel: Model<string | null, KvInput> = {
  name: "kv",
  description: "string key-value per key (Redis GET/SET/APPEND): get, put v, append s",
  fs: FS,
  init(initial, key) {
    if (initial !== null && typeof initial === "object" && !Array.isArray(initial)) {
      return str((initial as Record<string, unknown>)[String(key)]);
    }
    return str(initial);
  },
  prepare(invoke: Op, completion: Op | undefined, outcome: Outcome): KvInput {
    const ok = outcome === "ok";
    switch (invoke.f) {
      case "get":
      case "read":
        return { kind: GET, a: ok ? str(completion?.value) : null, ok };
      case "put":
      case "set":
      case "write":
        return { kind: PUT, a: str(invoke.value), ok };
      case "append":
        if (invoke.value === null || invoke.value === undefined) {
          throw new ModelInputError("append needs a value to append, got null");
        }
        return { kind: APPEND, a: str(invoke.value), ok };
    }
    throw new ModelInputError(`unknown f "${invoke.f}" for model kv (expected ${FS.join(", ")})`);
  },
  step(state, input) {
    if (input.kind === GET) return !input.ok || state === input.a ? state : undefined;
    if (input.kind === PUT) return input.a;
    return (state ?? "") + input.a;
  },
  hash: (s) => (s === null ? 0 : hashString(s) ^ 1),
  equal: (a, b) => a === b,
  describeState: (s) => JSON.stringify(s),
  describeOp(input) {
    if (input.kind === GET) return input.ok ? `get ${JSON.stringify(input.a)}` : "get ?";
    return `${input.kind === PUT ? "put" : "append"} ${JSON.stringify(input.a)}`;
  },
  blindWrite: (input) => input.kind === PUT,
  readOnly: (input) => input.kind === GET,
  // After an append or put, every later get (until the next put) contains the written text.
  canObserve(q, o) {
    if (q.kind !== GET || !q.ok) return false;
    if (o.a === null) return q.a === null;
    return q.a !== null && q.a.includes(o.a);
  },
};
