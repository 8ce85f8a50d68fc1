/**
 * Writes a history as Jepsen's `history.edn`: one op map per line, `:type`/`:f`/nemesis process
 * and txn micro-op names as keywords, so Jepsen, Knossos and elle-cli can read our histories.
 * Keyed histories are written as Jepsen's independent `[k v]` tuples. `parseHistory` reads the
 * result back to the same ops (minus `line`).
 */
import { type EDNVal, toEDNString } from "edn-data";
import { type History, NEMESIS, type Op } from "./op.ts";

export interface ToEdnOptions {
  /** Wrap the ops in one `[...]` vector instead of one map per line. */
  vector?: boolean;
  /** Write keys as `[k v]` tuples (Jepsen's independent checker). Default: when every client op has a scalar key. */
  tuples?: boolean;
  /**
   * Record what an ok read of nil means in these ops, in a leading comment (see
   * `NIL_READS_MARKER`), so that faultline reading the file back keeps the meaning. EDN readers
   * skip comments; Knossos itself always takes a nil read as "unknown".
   */
  nilReads?: "any" | "value";
}

/** `;; faultline-nil-reads: value` on a line of its own, before the first op. */
export const NIL_READS_MARKER = /^;+\s*faultline-nil-reads:\s*(any|value)\b/m;

function header(nilReads: "any" | "value"): string {
  const why =
    nilReads === "value"
      ? ";; An ok read of nil here means the register held nil (faultline's strict meaning); Knossos\n" +
        ";; reads it as a read of an unknown value. faultline check reads this file with that meaning.\n"
      : ";; An ok read of nil here is a read of an unknown value (Knossos's meaning).\n";
  return `;; faultline-nil-reads: ${nilReads}\n${why}`;
}

// Keywords may not contain spaces, quotes or brackets; anything else stays a string.
const KEYWORD_SAFE = /^[A-Za-z*+!_?<>=-][A-Za-z0-9*+!_?<>=.\-/]*$/;

function keywordOr(s: string): EDNVal {
  return KEYWORD_SAFE.test(s) ? { key: s } : s;
}

/** Plain JSON-like data as EDN values; object keys become keywords where they can. */
function toEdnVal(v: unknown): EDNVal {
  if (v === null || v === undefined) return null;
  if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") return v;
  if (typeof v === "bigint") return v;
  if (Array.isArray(v)) return v.map(toEdnVal);
  if (typeof v === "object") {
    const entries: [EDNVal, EDNVal][] = [];
    for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
      if (val !== undefined) entries.push([keywordOr(k), toEdnVal(val)]);
    }
    return { map: entries };
  }
  return String(v);
}

/** `[["append","x",3],["r","y",[1,2]]]` -> `[[:append "x" 3] [:r "y" [1 2]]]`. */
function txnToEdn(value: unknown): EDNVal {
  if (!Array.isArray(value)) return toEdnVal(value);
  return value.map((mop) =>
    Array.isArray(mop) && typeof mop[0] === "string"
      ? [keywordOr(mop[0]), ...mop.slice(1).map(toEdnVal)]
      : toEdnVal(mop),
  );
}

const FIRST_FIELDS = ["index", "type", "process", "f", "key", "value", "time"] as const;

function opToEdn(op: Op, tuples: boolean): string {
  const entries: [EDNVal, EDNVal][] = [];
  const value = op.f === "txn" ? txnToEdn(op.value) : toEdnVal(op.value);
  entries.push([{ key: "index" }, op.index]);
  entries.push([{ key: "type" }, { key: op.type }]);
  entries.push([{ key: "process" }, typeof op.process === "string" ? keywordOr(op.process) : op.process]);
  entries.push([{ key: "f" }, keywordOr(op.f)]);
  if (tuples && op.process !== NEMESIS && op.key !== undefined) {
    entries.push([{ key: "value" }, [toEdnVal(op.key), value]]);
  } else {
    if (op.key !== undefined) entries.push([{ key: "key" }, toEdnVal(op.key)]);
    entries.push([{ key: "value" }, value]);
  }
  if (op.time !== undefined) entries.push([{ key: "time" }, op.time]);
  for (const [k, v] of Object.entries(op)) {
    if (v === undefined || k === "line" || (FIRST_FIELDS as readonly string[]).includes(k)) continue;
    entries.push([keywordOr(k), toEdnVal(v)]);
  }
  return toEDNString({ map: entries });
}

function allClientOpsKeyed(history: History): boolean {
  const clients = history.filter((op) => op.process !== NEMESIS);
  return (
    clients.length > 0 && clients.every((op) => typeof op.key === "number" || typeof op.key === "string")
  );
}

export function toEdn(history: History, opts: ToEdnOptions = {}): string {
  const tuples = opts.tuples ?? allClientOpsKeyed(history);
  const lines = history.map((op) => opToEdn(op, tuples));
  const head = opts.nilReads ? header(opts.nilReads) : "";
  if (opts.vector) return `${head}[${lines.join("\n ")}]\n`;
  return lines.length === 0 ? head : `${head}${lines.join("\n")}\n`;
}
