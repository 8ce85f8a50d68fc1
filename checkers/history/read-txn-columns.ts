/**
 * Reads a JSON history (our JSONL, or elle-cli's JSON array) straight from its bytes into
 * TxnColumns, with no Op object and no JSON.parse per line: at 100k transactions JSON.parse and
 * the objects it makes cost more than the Elle check itself. A line the fast scanner does not
 * follow (a field it leaves alone, a malformed op) goes through JSON.parse and `toOp` as
 * `parseHistory` does; a history with bad input is declined (undefined), so that parseHistory
 * reports it with the same file:line and words as always.
 * Ops are materialized again from their line only when an anomaly cites them.
 */
import { HistoryParseError } from "./errors.ts";
import type { Op } from "./op.ts";
import { NEMESIS } from "./op.ts";
import { detectFormat, toOp } from "./parse.ts";
import {
  addOpObject,
  F_TXN,
  M_APPEND,
  M_READ,
  M_WRITE,
  T_FAIL,
  T_INFO,
  T_INVOKE,
  T_OK,
  type TxnColumns,
  TxnColumnsBuilder,
  V_BADLIST,
  V_MOPS,
  V_NULL,
  V_OTHER,
} from "./txn-columns.ts";

/** Thrown inside the scanner when it meets something it leaves to JSON.parse. */
class Decline extends Error {}
const DECLINE = new Decline();

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const MINUS = 0x2d;
const NEWLINE = 0x0a;

/** The characters JSON allows after a backslash (besides `u` and four hex digits). */
const ESCAPES = new Set([0x22, 0x5c, 0x2f, 0x62, 0x66, 0x6e, 0x72, 0x74]);

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

const utf8 = new TextDecoder();
const encoder = new TextEncoder();

const ascii = (s: string): Uint8Array => encoder.encode(s);
const K_TYPE = ascii("type");
const K_PROCESS = ascii("process");
const K_F = ascii("f");
const K_VALUE = ascii("value");
const K_TIME = ascii("time");
const K_INDEX = ascii("index");
const S_INVOKE = ascii("invoke");
const S_OK = ascii("ok");
const S_FAIL = ascii("fail");
const S_INFO = ascii("info");
const S_TXN = ascii("txn");
const S_APPEND = ascii("append");
const S_R = ascii("r");
const S_W = ascii("w");
const S_NEMESIS = ascii(NEMESIS);

export interface ReadTxnColumnsOptions {
  fileName?: string;
}

/**
 * The columns of a JSONL or JSON-array history, or undefined for a text in another format (EDN,
 * jepsen.log) or a JSON array the scanner declines: those take `parseHistory`'s path.
 */
export function readTxnColumns(
  source: string | Uint8Array,
  opts: ReadTxnColumnsOptions = {},
): TxnColumns | undefined {
  const bytes = typeof source === "string" ? encoder.encode(source) : source;
  const fileName = opts.fileName;
  const format = formatOf(bytes, fileName);
  if (format !== "jsonl" && format !== "json") return undefined;
  const r = new Reader(bytes, fileName);
  try {
    if (format === "jsonl") r.readJsonl(bytes, 0, true);
    else if (!r.readJsonArray()) return undefined;
  } catch (e) {
    // Bad input: parseHistory reads every line before it validates any, so its first error may
    // be on a later line than ours. Leave it to that path, which says exactly what it always says.
    if (e instanceof HistoryParseError) return undefined;
    throw e;
  }
  return r.finish((start, end) => bytes.subarray(start, end));
}

/** Format from the first bytes (detectFormat needs only the start; EDN and logs are not ours). */
function formatOf(bytes: Uint8Array, fileName: string | undefined) {
  return detectFormat(utf8.decode(bytes.subarray(0, 4096)), fileName);
}

/** Where a chunked read gets its bytes: a file, in practice (the checker itself does no I/O). */
export interface ByteSource {
  /** Fills `into` with the bytes at `position`; returns how many (0 at the end), like fs.readSync. */
  read(into: Uint8Array, position: number): number;
  /** The bytes [start, end), to materialize an op an anomaly cites. */
  range(start: number, end: number): Uint8Array;
}

/**
 * A JSONL history read a chunk at a time, so the text is never whole in memory (at a million
 * transactions it is 400 MB, more than the columns). undefined as readTxnColumns.
 */
export function readTxnColumnsChunked(
  source: ByteSource,
  opts: ReadTxnColumnsOptions & { chunkBytes?: number } = {},
): TxnColumns | undefined {
  let buf = new Uint8Array(opts.chunkBytes ?? 1 << 24);
  let have = source.read(buf, 0);
  if (formatOf(buf.subarray(0, have), opts.fileName) !== "jsonl") return undefined;
  const r = new Reader(buf, opts.fileName);
  let base = 0;
  try {
    for (;;) {
      const more = have === buf.length;
      const used = r.readJsonl(buf.subarray(0, have), base, !more);
      if (!more) break;
      // Carry the unfinished last line over; a line longer than the buffer doubles it.
      const rest = have - used;
      if (rest * 2 > buf.length) {
        const bigger = new Uint8Array(buf.length * 2);
        bigger.set(buf.subarray(used, have));
        buf = bigger;
      } else buf.copyWithin(0, used, have);
      base += used;
      const got = source.read(buf.subarray(rest), base + rest);
      have = rest + got;
    }
  } catch (e) {
    if (e instanceof HistoryParseError) return undefined;
    throw e;
  }
  return r.finish((start, end) => source.range(start, end));
}

class Reader {
  readonly b = new TxnColumnsBuilder();
  private p = 0;
  private end = 0;
  /** Per kept op: byte range, line, index as given, position among all ops. */
  private srcStart = new Float64Array(1024);
  private srcEnd = new Float64Array(1024);
  private lines = new Int32Array(1024);
  private rawIndex = new Float64Array(1024);
  private position = new Int32Array(1024);
  /** Ops read (nemesis too): indexes are kept only when all are present and increasing. */
  private count = 0;
  private lastIndex = -1;
  private indexesOk = true;
  // The op being scanned.
  private type = -1;
  private proc = -1;
  private procName: number | string | undefined;
  private fTxn = false;
  private fId = -1;
  private fSeen = false;
  private time = Number.NaN;
  private index = -1;
  private valueStart = -1;
  private valueEnd = -1;

  constructor(
    private bytes: Uint8Array,
    private readonly fileName: string | undefined,
  ) {}

  /** 1-based number of the last line read. */
  private lineNo = 0;
  /** Offset in the source of `bytes[0]`. */
  private base = 0;

  /**
   * The whole lines of `bytes` (all of it when `final`); returns how many bytes were consumed.
   * `base`: where `bytes` starts in the source (for re-reading a line later).
   */
  readJsonl(bytes: Uint8Array, base: number, final: boolean): number {
    this.bytes = bytes;
    this.base = base;
    const n = bytes.length;
    let start = 0;
    while (start < n) {
      let stop = bytes.indexOf(NEWLINE, start);
      if (stop < 0) {
        if (!final) return start;
        stop = n;
      }
      this.lineNo++;
      if (stop > start) this.element(start, stop, this.lineNo);
      start = stop + 1;
    }
    return n;
  }

  /** `[op, op, ...]` (commas optional, as parseHistory's scanner allows); false: declined. */
  readJsonArray(): boolean {
    const bytes = this.bytes;
    const n = bytes.length;
    let line = 1;
    let p = 0;
    const blank = (): void => {
      while (p < n && (isWs(bytes[p]) || bytes[p] === COMMA)) {
        if (bytes[p] === NEWLINE) line++;
        p++;
      }
    };
    blank();
    if (bytes[p] !== LBRACKET) return false;
    p++;
    for (;;) {
      blank();
      if (p >= n) return false;
      if (bytes[p] === RBRACKET) break;
      const start = p;
      this.p = p;
      this.end = n;
      try {
        this.skipValue();
      } catch (e) {
        if (e instanceof Decline) return false;
        throw e;
      }
      const stop = this.p;
      // A valid element the fast scan declines: JSON.parse and toOp, as parseHistory does.
      this.element(start, stop, line, false);
      for (let i = start; i < stop; i++) if (bytes[i] === NEWLINE) line++;
      p = stop;
    }
    p++;
    blank();
    return p >= n;
  }

  /** One JSONL line or array element: the fast scan, or JSON.parse and toOp as parseHistory does. */
  private element(start: number, stop: number, line: number, jsonl = true): void {
    const mark = this.b.n;
    const mops = this.b.nMops;
    const lists = this.b.nLists;
    const listVals = this.b.nListVals;
    try {
      this.op(start, stop, line);
      return;
    } catch (e) {
      if (!(e instanceof Decline)) throw e;
      this.b.rollback(mark, mops, lists, listVals);
    }
    const s = utf8.decode(this.bytes.subarray(start, stop));
    let raw: unknown;
    try {
      raw = JSON.parse(s);
    } catch (e) {
      if (s.trim() === "") return;
      if (!jsonl) throw e; // not reached: the element was scanned as valid JSON
      throw new HistoryParseError(
        `not valid JSON (${(e as Error).message}); expected one operation object per line`,
        { line, fileName: this.fileName },
      );
    }
    const op = toOp(raw, line, this.fileName);
    if (op === undefined) return;
    this.noteIndex(op.index);
    if (op.process === NEMESIS) return;
    addOpObject(this.b, op);
    this.keep(start, stop, line);
  }

  private noteIndex(index: number): void {
    if (index < 0 || index <= this.lastIndex) this.indexesOk = false;
    this.lastIndex = index;
    this.count++;
  }

  private keep(start: number, stop: number, line: number): void {
    const i = this.b.n - 1;
    if (i >= this.srcStart.length) {
      const len = this.srcStart.length * 2;
      const g = <T extends Float64Array | Int32Array>(a: T): T => {
        const x = new (a.constructor as new (n: number) => T)(len);
        x.set(a);
        return x;
      };
      this.srcStart = g(this.srcStart);
      this.srcEnd = g(this.srcEnd);
      this.lines = g(this.lines);
      this.rawIndex = g(this.rawIndex);
      this.position = g(this.position);
    }
    this.srcStart[i] = this.base + start;
    this.srcEnd[i] = this.base + stop;
    this.lines[i] = line;
    this.rawIndex[i] = this.lastIndex;
    this.position[i] = this.count - 1;
  }

  /** The fast scan of one op object in bytes[start, stop). Throws DECLINE for anything unusual. */
  private op(start: number, stop: number, line: number): void {
    const bytes = this.bytes;
    this.p = start;
    this.end = stop;
    this.type = -1;
    this.proc = -1;
    this.procName = undefined;
    this.fTxn = false;
    this.fSeen = false;
    this.fId = -1;
    this.time = Number.NaN;
    this.index = -1;
    this.valueStart = -1;
    this.valueEnd = -1;
    let seen = 0;
    let txnValueDone = false;
    this.ws();
    if (bytes[this.p] !== LBRACE) throw DECLINE;
    this.p++;
    this.ws();
    if (bytes[this.p] === RBRACE) throw DECLINE;
    for (;;) {
      this.ws();
      if (bytes[this.p] !== QUOTE) throw DECLINE;
      const ks = this.p + 1;
      const ke = this.stringEnd();
      if (this.escaped) throw DECLINE; // a field name spelled with escapes: left to JSON.parse
      this.ws();
      if (bytes[this.p] !== COLON) throw DECLINE;
      this.p++;
      this.ws();
      let bit = 0;
      if (this.is(ks, ke, K_TYPE)) {
        bit = 1;
        this.readType();
      } else if (this.is(ks, ke, K_PROCESS)) {
        bit = 2;
        this.readProcess();
      } else if (this.is(ks, ke, K_F)) {
        bit = 4;
        this.readF();
      } else if (this.is(ks, ke, K_VALUE)) {
        bit = 8;
        this.valueStart = this.p;
        // The common field order (f before value): read the micro-ops right away.
        if (this.fSeen && this.fTxn && this.proc >= 0 && this.type >= 0) {
          this.b.addOp(this.type, this.proc, F_TXN, Number.NaN, V_MOPS);
          this.txnValue();
          txnValueDone = true;
        } else this.skipValue();
        this.valueEnd = this.p;
      } else if (this.is(ks, ke, K_TIME)) {
        bit = 16;
        this.time = this.nullableNumber();
      } else if (this.is(ks, ke, K_INDEX)) {
        bit = 32;
        const x = this.nullableNumber();
        if (!Number.isNaN(x)) {
          if (!Number.isInteger(x)) throw DECLINE;
          this.index = x;
        }
      } else this.skipValue();
      if (seen & bit) throw DECLINE; // a repeated field: JSON.parse's last-wins, left to it
      seen |= bit;
      this.ws();
      const c = bytes[this.p];
      this.p++;
      if (c === COMMA) continue;
      if (c === RBRACE) break;
      throw DECLINE;
    }
    this.ws();
    if (this.p !== stop) throw DECLINE;
    if (this.type < 0 || this.procName === undefined) throw DECLINE;
    const nemesis = this.procName === NEMESIS;
    if (!this.fSeen) {
      // No f: a transaction when the value is a list of lists (parseHistory's rule), else an error.
      if (nemesis || this.valueStart < 0 || !this.isListOfLists(this.valueStart)) throw DECLINE;
      this.fTxn = true;
    }
    this.noteIndex(this.index);
    if (nemesis) return;
    if (txnValueDone) {
      this.b.type[this.b.n - 1] = this.type;
      this.b.time[this.b.n - 1] = this.time;
    } else if (this.fTxn) {
      this.b.addOp(this.type, this.proc, F_TXN, this.time, V_MOPS);
      if (this.valueStart < 0) this.b.resetMops(V_NULL);
      else {
        this.p = this.valueStart;
        this.txnValue();
      }
    } else {
      const vs = this.valueStart;
      const isNull = vs < 0 || (bytes[vs] === 0x6e && this.valueEnd - vs === 4);
      this.b.addOp(this.type, this.proc, this.fId, this.time, isNull ? V_NULL : V_OTHER);
    }
    this.keep(start, stop, line);
  }

  private ws(): void {
    const bytes = this.bytes;
    while (this.p < this.end && isWs(bytes[this.p])) this.p++;
  }

  private is(s: number, e: number, lit: Uint8Array): boolean {
    if (e - s !== lit.length) return false;
    for (let i = 0; i < lit.length; i++) if (this.bytes[s + i] !== lit[i]) return false;
    return true;
  }

  /** Set by stringEnd: the string just read had escapes. */
  private escaped = false;

  /** At an opening quote: moves past the closing one; returns the end of the contents. */
  private stringEnd(): number {
    const bytes = this.bytes;
    let p = this.p + 1;
    this.escaped = false;
    for (;;) {
      if (p >= this.end) throw DECLINE;
      const c = bytes[p];
      if (c === QUOTE) break;
      if (c < 0x20) throw DECLINE;
      if (c === BACKSLASH) {
        this.escaped = true;
        const e = bytes[p + 1];
        if (e === 0x75) {
          for (let i = 2; i < 6; i++) if (!isHex(bytes[p + i])) throw DECLINE;
          p += 6;
          continue;
        }
        if (!ESCAPES.has(e)) throw DECLINE;
        p += 2;
        continue;
      }
      p++;
    }
    this.p = p + 1;
    return p;
  }

  private stringValue(): string {
    const s = this.p + 1;
    const e = this.stringEnd();
    const bytes = this.bytes;
    if (this.escaped) return JSON.parse(utf8.decode(bytes.subarray(s - 1, e + 1))) as string;
    if (e - s <= 16) {
      let ok = true;
      let out = "";
      for (let i = s; i < e; i++) {
        const c = bytes[i];
        if (c >= 0x80) {
          ok = false;
          break;
        }
        out += String.fromCharCode(c);
      }
      if (ok) return out;
    }
    return utf8.decode(bytes.subarray(s, e));
  }

  private readType(): void {
    if (this.bytes[this.p] !== QUOTE) throw DECLINE;
    const s = this.p + 1;
    const e = this.stringEnd();
    if (this.escaped) throw DECLINE;
    if (this.is(s, e, S_INVOKE)) this.type = T_INVOKE;
    else if (this.is(s, e, S_OK)) this.type = T_OK;
    else if (this.is(s, e, S_FAIL)) this.type = T_FAIL;
    else if (this.is(s, e, S_INFO)) this.type = T_INFO;
    else throw DECLINE;
  }

  private readProcess(): void {
    const c = this.bytes[this.p];
    let name: number | string;
    if (c === QUOTE) {
      const s = this.p + 1;
      if (this.is(s, s + S_NEMESIS.length, S_NEMESIS) && this.bytes[s + S_NEMESIS.length] === QUOTE) {
        this.p = s + S_NEMESIS.length + 1;
        name = NEMESIS;
      } else {
        name = this.stringValue();
        if (/^-?\d+$/.test(name)) name = Number(name);
      }
    } else {
      name = this.number();
      if (!Number.isInteger(name)) throw DECLINE;
    }
    this.procName = name;
    this.proc = name === NEMESIS ? -1 : this.b.processId(name);
  }

  private readF(): void {
    const bytes = this.bytes;
    if (bytes[this.p] === 0x6e) {
      this.literal("null");
      return; // as if absent
    }
    if (bytes[this.p] !== QUOTE) throw DECLINE;
    const s = this.p + 1;
    const e = this.stringEnd();
    if (this.escaped) throw DECLINE;
    this.fSeen = true;
    if (this.is(s, e, S_TXN)) {
      this.fTxn = true;
      this.fId = F_TXN;
    } else {
      this.fId = this.b.fId(utf8.decode(bytes.subarray(s, e)));
    }
  }

  private literal(word: "null" | "true" | "false"): void {
    for (let i = 0; i < word.length; i++) {
      if (this.bytes[this.p + i] !== word.charCodeAt(i)) throw DECLINE;
    }
    this.p += word.length;
  }

  private nullableNumber(): number {
    if (this.bytes[this.p] === 0x6e) {
      this.literal("null");
      return Number.NaN;
    }
    return this.number();
  }

  /** A JSON number (strict grammar); declines what is not finite. */
  private number(): number {
    const bytes = this.bytes;
    const s = this.p;
    let p = s;
    let neg = false;
    if (bytes[p] === MINUS) {
      neg = true;
      p++;
    }
    const d0 = p;
    let v = 0;
    while (p < this.end && bytes[p] >= 0x30 && bytes[p] <= 0x39) {
      v = v * 10 + (bytes[p] - 0x30);
      p++;
    }
    const digits = p - d0;
    if (digits === 0) throw DECLINE;
    if (digits > 1 && bytes[d0] === 0x30) throw DECLINE; // leading zero
    const c = bytes[p];
    if (p < this.end && (c === 0x2e || c === 0x65 || c === 0x45)) {
      if (c === 0x2e) {
        p++;
        const f0 = p;
        while (p < this.end && bytes[p] >= 0x30 && bytes[p] <= 0x39) p++;
        if (p === f0) throw DECLINE;
      }
      if (p < this.end && (bytes[p] === 0x65 || bytes[p] === 0x45)) {
        p++;
        if (bytes[p] === 0x2b || bytes[p] === MINUS) p++;
        const e0 = p;
        while (p < this.end && bytes[p] >= 0x30 && bytes[p] <= 0x39) p++;
        if (p === e0) throw DECLINE;
      }
      this.p = p;
      const x = Number(utf8.decode(bytes.subarray(s, p)));
      if (!Number.isFinite(x)) throw DECLINE;
      return x;
    }
    this.p = p;
    if (digits > 15) {
      const x = Number(utf8.decode(bytes.subarray(s, p)));
      if (!Number.isFinite(x)) throw DECLINE;
      return x;
    }
    return neg ? -v : v;
  }

  /** Skips one JSON value, checking its grammar as JSON.parse would. */
  private skipValue(): void {
    const bytes = this.bytes;
    const c = bytes[this.p];
    if (c === QUOTE) {
      this.stringEnd();
    } else if (c === LBRACE || c === LBRACKET) {
      const close = c === LBRACE ? RBRACE : RBRACKET;
      this.p++;
      this.ws();
      if (bytes[this.p] === close) {
        this.p++;
        return;
      }
      for (;;) {
        this.ws();
        if (close === RBRACE) {
          if (bytes[this.p] !== QUOTE) throw DECLINE;
          this.stringEnd();
          this.ws();
          if (bytes[this.p] !== COLON) throw DECLINE;
          this.p++;
          this.ws();
        }
        this.skipValue();
        this.ws();
        const d = bytes[this.p];
        this.p++;
        if (d === COMMA) continue;
        if (d === close) return;
        throw DECLINE;
      }
    } else if (c === 0x6e) this.literal("null");
    else if (c === 0x74) this.literal("true");
    else if (c === 0x66) this.literal("false");
    else this.number();
    if (this.p > this.end) throw DECLINE;
  }

  private isListOfLists(at: number): boolean {
    const bytes = this.bytes;
    const save = this.p;
    this.p = at;
    try {
      if (bytes[this.p] !== LBRACKET) return false;
      this.p++;
      this.ws();
      if (bytes[this.p] === RBRACKET) return true;
      for (;;) {
        this.ws();
        if (bytes[this.p] !== LBRACKET) return false;
        this.skipValue();
        this.ws();
        const d = bytes[this.p];
        this.p++;
        if (d === COMMA) continue;
        return d === RBRACKET;
      }
    } finally {
      this.p = save;
    }
  }

  /**
   * The micro-ops of the latest op, from `this.p`. A value that is not a list of well-formed
   * micro-ops is skipped (checked as JSON) and marked, for the checker to report from the line.
   */
  private txnValue(): void {
    const start = this.p;
    const b = this.b;
    const bytes = this.bytes;
    if (bytes[this.p] === 0x6e) {
      this.literal("null");
      b.resetMops(V_NULL);
      return;
    }
    if (bytes[this.p] !== LBRACKET) {
      this.skipValue();
      b.resetMops(V_OTHER);
      return;
    }
    const lists = b.nLists;
    const listVals = b.nListVals;
    if (!this.mops()) {
      b.resetMops(V_BADLIST);
      b.nLists = lists;
      b.nListVals = listVals;
      this.p = start;
      this.skipValue();
    }
  }

  /** `[[f, k, v], ...]`; false when it is a list but not of micro-ops the checkers accept. */
  private mops(): boolean {
    const bytes = this.bytes;
    const b = this.b;
    this.p++; // [
    this.ws();
    if (bytes[this.p] === RBRACKET) {
      this.p++;
      return true;
    }
    for (;;) {
      this.ws();
      if (bytes[this.p] !== LBRACKET) return false;
      this.p++;
      this.ws();
      if (bytes[this.p] !== QUOTE) return false;
      const s = this.p + 1;
      const e = this.stringEnd();
      if (this.escaped) throw DECLINE;
      let f: number;
      if (this.is(s, e, S_APPEND)) f = M_APPEND;
      else if (this.is(s, e, S_R)) f = M_READ;
      else if (this.is(s, e, S_W)) f = M_WRITE;
      else f = b.mopFId(utf8.decode(bytes.subarray(s, e)));
      this.ws();
      if (bytes[this.p] !== COMMA) return false;
      this.p++;
      this.ws();
      const kc = bytes[this.p];
      let key: number;
      if (kc === QUOTE) key = b.keyId(this.stringValue());
      else if (kc === LBRACKET || kc === LBRACE) key = b.keyId(this.parsed());
      else if (kc === MINUS || (kc >= 0x30 && kc <= 0x39)) key = b.keyId(this.number());
      else return false; // null, true, false: not a key
      this.ws();
      let c = bytes[this.p];
      this.p++;
      if (c === RBRACKET) b.addMop(f, key, -1, -1);
      else if (c === COMMA) {
        this.ws();
        this.mopValue(f, key);
        this.ws();
        if (bytes[this.p] !== RBRACKET) return false;
        this.p++;
      } else return false;
      this.ws();
      c = bytes[this.p];
      this.p++;
      if (c === COMMA) continue;
      if (c === RBRACKET) return true;
      throw DECLINE;
    }
  }

  private mopValue(f: number, key: number): void {
    const b = this.b;
    const c = this.bytes[this.p];
    if (c === 0x6e) {
      this.literal("null");
      b.addMop(f, key, -1, -1);
    } else if (c === LBRACKET) {
      this.p++;
      this.ws();
      const l = b.beginList();
      if (this.bytes[this.p] === RBRACKET) this.p++;
      else this.listElements();
      b.addMop(f, key, -2, l);
    } else b.addMop(f, key, this.scalarOrParsed(), -1);
  }

  /**
   * The elements of a list up to its `]`. Reads are most of a list-append history's bytes, and
   * their elements are small integers: those take a loop of their own.
   */
  private listElements(): void {
    const bytes = this.bytes;
    const b = this.b;
    const end = this.end;
    let p = this.p;
    for (;;) {
      let q = p;
      let v = 0;
      let ch = 0;
      while (q < end && (ch = bytes[q]) >= 0x30 && ch <= 0x39) {
        v = v * 10 + (ch - 0x30);
        q++;
      }
      const digits = q - p;
      if (
        digits > 0 &&
        digits <= 9 &&
        (digits === 1 || bytes[p] !== 0x30) &&
        (ch === COMMA || ch === RBRACKET)
      ) {
        b.addListVal(b.valueId(v));
        p = q + 1;
        if (ch === RBRACKET) break;
        continue;
      }
      // Anything else (spaces, negative numbers, strings, nested values): the general way.
      this.p = p;
      this.ws();
      b.addListVal(this.scalarOrParsed());
      this.ws();
      const d = bytes[this.p];
      this.p++;
      p = this.p;
      if (d === COMMA) continue;
      if (d === RBRACKET) break;
      throw DECLINE;
    }
    this.p = p;
  }

  /** A value id: scalars read here, anything nested by JSON.parse (rare in histories). */
  private scalarOrParsed(): number {
    const b = this.b;
    const c = this.bytes[this.p];
    if (c === QUOTE) return b.valueId(this.stringValue());
    if (c === MINUS || (c >= 0x30 && c <= 0x39)) return b.valueId(this.number());
    if (c === 0x74) {
      this.literal("true");
      return b.valueId(true);
    }
    if (c === 0x66) {
      this.literal("false");
      return b.valueId(false);
    }
    if (c === 0x6e) {
      this.literal("null");
      return b.valueId(null);
    }
    return b.valueId(this.parsed());
  }

  private parsed(): unknown {
    const s = this.p;
    this.skipValue();
    return JSON.parse(utf8.decode(this.bytes.subarray(s, this.p)));
  }

  finish(range: (start: number, end: number) => Uint8Array): TxnColumns {
    const n = this.b.n;
    const indexes = new Float64Array(n);
    for (let i = 0; i < n; i++) indexes[i] = this.indexesOk ? this.rawIndex[i] : this.position[i];
    const cache = new Map<number, Op>();
    const { fileName, srcStart, srcEnd, lines } = this;
    // The scan's buffers are not needed any more (a chunked read's would pin 16 MB).
    this.bytes = new Uint8Array(0);
    this.rawIndex = new Float64Array(0);
    this.position = new Int32Array(0);
    return this.b.finish((i) => {
      let op = cache.get(i);
      if (op === undefined) {
        const raw: unknown = JSON.parse(utf8.decode(range(srcStart[i], srcEnd[i])));
        op = toOp(raw, lines[i], fileName)!;
        op.index = indexes[i];
        cache.set(i, op);
      }
      return op;
    });
  }
}
