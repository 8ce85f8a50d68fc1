/**
 * Reads a history from text in any of the shapes faultline meets: our `history.jsonl`, a JSON
 * array of ops (elle-cli), and Jepsen's `history.edn` (a vector of maps, or one map per line).
 * The format is detected from the content (the file name only breaks ties). Liberal in what it
 * accepts (keywords, missing or sparse indexes, txn ops without `f`, `[k v]` independent
 * tuples), strict in what it reports: every error names the line and what was expected.
 */
import { parseEDNString } from "edn-data";
import { NIL_READS_MARKER } from "./edn.ts";
import { HistoryParseError } from "./errors.ts";
import { looksLikeJepsenLog, readJepsenLog } from "./jepsen-log.ts";
import { type History, NEMESIS, type Op, type OpType } from "./op.ts";
import { scanElements } from "./scan.ts";

export { HistoryParseError } from "./errors.ts";

export type HistoryFormat = "jsonl" | "json" | "edn" | "jepsen-log";

export interface ParseHistoryOptions {
  /** Used in error messages (`history.jsonl:17: ...`) and as a hint for the format. */
  fileName?: string;
  /** Force a format instead of detecting it. */
  format?: HistoryFormat;
  /**
   * Treat `[k v]` values as independent-key tuples. Default: detected for EDN (every client op's
   * value is a `[k v]` pair and no op has `key`), never for JSON.
   */
  independent?: boolean;
}

const TYPES: ReadonlySet<string> = new Set(["invoke", "ok", "fail", "info"]);

export function parseHistory(text: string, opts: ParseHistoryOptions = {}): History {
  const fileName = opts.fileName;
  const format = opts.format ?? detectFormat(text, fileName);
  const raws =
    format === "jsonl"
      ? readJsonl(text, fileName)
      : format === "jepsen-log"
        ? readJepsenLog(text, fileName)
        : readElements(text, format, fileName);
  const history: History = [];
  // Some hand-written Elle EDN histories carry no :process at all (one client, ops in order);
  // Jepsen reads those as one process. Only when no op names one: a few missing is an error.
  const noProcesses =
    format === "edn" && raws.length > 0 && raws.every((r) => !isRecord(r.value) || r.value.process == null);
  for (const { value, line } of raws) {
    const op = toOp(noProcesses && isRecord(value) ? { ...value, process: 0 } : value, line, fileName);
    if (op !== undefined) history.push(op);
  }
  const independent = opts.independent ?? (format === "edn" && looksIndependent(history));
  if (independent) splitTuples(history, fileName);
  assignIndexes(history);
  return history;
}

/**
 * What an ok read of nil means by default in a history of this format. Jepsen writes EDN and
 * jepsen.log histories for Knossos, whose register models take a nil read as "value unknown,
 * matches any state"; faultline's JSONL (and elle-cli's JSON arrays) record what was read.
 */
export function defaultNilReads(format: HistoryFormat, text?: string): "any" | "value" {
  // A history faultline exported says which meaning its nil reads have (edn.ts's marker).
  if (format === "edn" && text !== undefined) {
    const marked = NIL_READS_MARKER.exec(text.slice(0, 2000));
    if (marked) return marked[1] as "any" | "value";
  }
  return format === "edn" || format === "jepsen-log" ? "any" : "value";
}

/** Which format a text is in, by its first significant characters. */
export function detectFormat(text: string, fileName?: string): HistoryFormat {
  const lower = fileName?.toLowerCase() ?? "";
  if (lower.endsWith(".edn")) return "edn";
  if (looksLikeJepsenLog(text)) return "jepsen-log";
  let i = 0;
  const skip = (): void => {
    while (i < text.length && /[\s,]/.test(text[i])) i++;
  };
  skip();
  const first = text[i];
  if (first === undefined) return lower.endsWith(".json") ? "json" : "jsonl";
  if (first === ";" || first === "#" || first === "(") return "edn";
  i++;
  skip();
  const second = text[i];
  if (first === "[") {
    if (second === "{") {
      i++;
      skip();
      return text[i] === ":" ? "edn" : "json";
    }
    if (second === "#" || second === ";") return "edn";
    return "json";
  }
  if (first === "{") return second === ":" ? "edn" : "jsonl";
  return lower.endsWith(".json") ? "json" : "jsonl";
}

interface Raw {
  value: unknown;
  line: number;
}

function readJsonl(text: string, fileName?: string): Raw[] {
  const out: Raw[] = [];
  // One pass with indexOf and no per-line trim: JSON.parse skips surrounding whitespace itself,
  // and only a line that fails to parse is checked for being blank (100k-txn files are ~40 MB).
  let start = 0;
  let line = 0;
  const n = text.length;
  while (start < n) {
    let end = text.indexOf("\n", start);
    if (end < 0) end = n;
    line++;
    if (end > start) {
      const s = text.slice(start, end);
      let value: unknown;
      try {
        value = JSON.parse(s);
      } catch (e) {
        if (s.trim() === "") {
          start = end + 1;
          continue;
        }
        throw new HistoryParseError(
          `not valid JSON (${(e as Error).message}); expected one operation object per line`,
          { line, fileName },
        );
      }
      out.push({ value, line });
    }
    start = end + 1;
  }
  return out;
}

function readElements(text: string, format: "json" | "edn", fileName?: string): Raw[] {
  const out: Raw[] = [];
  for (const chunk of scanElements(text, format, fileName)) {
    let value: unknown;
    try {
      value = format === "json" ? JSON.parse(chunk.text) : fromEdn(parseEDNString(chunk.text, EDN_OPTIONS));
    } catch (e) {
      throw new HistoryParseError(`not valid ${format.toUpperCase()} (${(e as Error).message})`, {
        line: chunk.line,
        fileName,
      });
    }
    // `#_` discards a value.
    if (value === null && format === "edn" && chunk.text.startsWith("#_")) continue;
    out.push({ value, line: chunk.line });
  }
  return out;
}

const EDN_OPTIONS = {
  mapAs: "map",
  keywordAs: "string",
  setAs: "array",
  listAs: "array",
  charAs: "string",
  symbolAs: "string",
} as const;

/** edn-data's output (Maps, tagged values, bigints) as plain JSON-like data. */
function fromEdn(v: unknown): unknown {
  if (v === null || typeof v !== "object") {
    if (typeof v === "bigint") return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
    return v;
  }
  if (Array.isArray(v)) return v.map(fromEdn);
  if (v instanceof Map) {
    const o: Record<string, unknown> = {};
    for (const [k, val] of v) {
      const key = typeof k === "string" ? k : typeof k === "number" ? String(k) : JSON.stringify(fromEdn(k));
      o[key] = fromEdn(val);
    }
    return o;
  }
  if (v instanceof Date) return v.toISOString();
  // An unknown tag (#jepsen.history.Op{...}, #jepsen.independent.Tuple{...}): keep the value.
  const tagged = v as { tag?: unknown; val?: unknown };
  if (typeof tagged.tag === "string" && "val" in tagged) {
    const inner = fromEdn(tagged.val);
    if (tagged.tag.endsWith("independent.Tuple") && isRecord(inner)) return [inner.key, inner.value];
    return inner;
  }
  return v;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function show(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function isTxnValue(v: unknown): boolean {
  return Array.isArray(v) && v.every((m) => Array.isArray(m));
}

/** One raw element as an `Op`, or an error naming the field (also used by read-txn-columns.ts). */
export function toOp(raw: unknown, line: number, fileName?: string): Op | undefined {
  const fail = (reason: string): never => {
    throw new HistoryParseError(reason, { line, fileName });
  };
  if (!isRecord(raw))
    return fail(`expected an operation (a map with "type", "process", "f"), got ${show(raw)}`);
  const type = raw.type;
  if (typeof type !== "string" || !TYPES.has(type)) {
    fail(`expected "type" to be invoke|ok|fail|info, got ${show(type)}`);
  }
  let process = raw.process;
  if (process === undefined || process === null)
    fail(`missing "process" (an integer, or "nemesis" for faults)`);
  if (typeof process === "string" && /^-?\d+$/.test(process)) process = Number(process);
  if (typeof process !== "number" && typeof process !== "string") {
    fail(`expected "process" to be an integer or "nemesis", got ${show(process)}`);
  }
  if (typeof process === "number" && !Number.isInteger(process)) {
    fail(`expected "process" to be an integer, got ${show(process)}`);
  }
  const value = raw.value === undefined ? null : raw.value;
  let f = raw.f;
  if (f === undefined || f === null) {
    if (isTxnValue(value)) f = "txn";
    else fail(`missing "f" (the operation's function: read, write, cas, txn, ...)`);
  }
  if (typeof f !== "string") fail(`expected "f" to be a string, got ${show(f)}`);
  if (
    raw.time !== undefined &&
    raw.time !== null &&
    (typeof raw.time !== "number" || !Number.isFinite(raw.time))
  ) {
    fail(`expected "time" to be a number (nanoseconds since the run started), got ${show(raw.time)}`);
  }
  if (raw.index !== undefined && raw.index !== null && !Number.isInteger(raw.index)) {
    fail(`expected "index" to be an integer, got ${show(raw.index)}`);
  }
  // The raw object is freshly parsed and ours: fill it in rather than copy it (200k ops add up).
  const op = raw as Op;
  op.index = (raw.index as number | undefined) ?? -1;
  op.type = type as OpType;
  op.process = process as Op["process"];
  op.f = f as string;
  op.value = value;
  op.line = line;
  if (raw.time === null) delete op.time;
  if (raw.error !== undefined && raw.error !== null && typeof raw.error !== "string")
    op.error = show(raw.error);
  return op;
}

function isScalar(v: unknown): boolean {
  return typeof v === "number" || typeof v === "string";
}

/** Jepsen's independent checker wraps values as `[k v]`; a history is keyed so when every client op is. */
function looksIndependent(history: History): boolean {
  let clientOps = 0;
  for (const op of history) {
    if (op.process === NEMESIS) continue;
    if (op.key !== undefined) return false;
    const v = op.value;
    if (!Array.isArray(v) || v.length !== 2 || !isScalar(v[0])) return false;
    // An unkeyed cas carries [from, to]; a keyed one [k [from, to]].
    if (op.f === "cas" && !Array.isArray(v[1])) return false;
    clientOps++;
  }
  return clientOps > 0;
}

function splitTuples(history: History, fileName?: string): void {
  for (const op of history) {
    if (op.process === NEMESIS || op.key !== undefined) continue;
    const v = op.value;
    if (!Array.isArray(v) || v.length !== 2) {
      throw new HistoryParseError(`expected an independent [key value] tuple as "value", got ${show(v)}`, {
        line: op.line,
        fileName,
      });
    }
    op.key = v[0];
    op.value = v[1];
  }
}

/** Keep given indexes when they are all there and increasing; otherwise number ops in order. */
function assignIndexes(history: History): void {
  let ok = true;
  let prev = -1;
  for (const op of history) {
    if (op.index < 0 || op.index <= prev) {
      ok = false;
      break;
    }
    prev = op.index;
  }
  if (ok) return;
  for (let i = 0; i < history.length; i++) history[i].index = i;
}
