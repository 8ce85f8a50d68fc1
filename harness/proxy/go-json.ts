/**
 * Decoding request bodies the way Toxiproxy's Go server does (`json.NewDecoder(body).Decode(&v)`),
 * so that clients see the same outcomes and near-identical error messages:
 * - only the first JSON value is read; anything after it is ignored;
 * - unknown fields are ignored, `null` leaves a field at its default;
 * - object keys match field names case-insensitively (exact match preferred);
 * - a value of the wrong type is an error naming the Go field and type.
 */

export type GoType = "string" | "bool" | "int64" | "int" | "float32";

/** A Go struct: JSON field name -> Go type. */
export type GoStruct = Record<string, GoType>;

export class GoJsonError extends Error {}

/**
 * A number whose literal an integer field must refuse (`100.0`, `1e3`) or that a JavaScript number
 * cannot hold exactly (beyond 2^53). Go decodes from the literal, so the decoder needs it: `100.0`
 * into an int64 is an error in Go although it equals 100.
 */
export class GoNumber {
  constructor(
    readonly text: string,
    readonly value: number,
  ) {}
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * Parses the first JSON value in `text`, throwing the syntax error Go's scanner reports
 * (`invalid character 'x' looking for beginning of value`, `unexpected EOF`, ...). Numbers come
 * back as JavaScript numbers, or as `GoNumber` when the literal matters (see above).
 */
function parseFirst(text: string): unknown {
  let i = 0;
  const n = text.length;
  const ws = () => {
    while (i < n && (text[i] === " " || text[i] === "\t" || text[i] === "\n" || text[i] === "\r")) i++;
  };
  const quote = (c: string) => (c === "'" ? "'\\''" : `'${c}'`);
  const bad = (context: string): never => {
    if (i >= n) throw new GoJsonError("unexpected EOF");
    throw new GoJsonError(`invalid character ${quote(text[i])} ${context}`);
  };
  const literal = (word: string) => {
    for (let k = 0; k < word.length; k++, i++) {
      if (i >= n) throw new GoJsonError("unexpected EOF");
      if (text[i] !== word[k]) bad(`in literal ${word} (expecting ${quote(word[k])})`);
    }
  };
  const string = (): string => {
    const start = i;
    i++; // opening quote
    while (i < n) {
      const c = text[i];
      if (c === '"') {
        i++;
        try {
          return JSON.parse(text.slice(start, i)) as string;
        } catch (e) {
          throw new GoJsonError(`invalid JSON: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
      if (c === "\\") i++;
      else if (c < " ") bad("in string literal");
      i++;
    }
    throw new GoJsonError("unexpected EOF");
  };
  const number = (): number | GoNumber => {
    const start = i;
    if (text[i] === "-") i++;
    if (i >= n) throw new GoJsonError("unexpected EOF");
    if (!/[0-9]/.test(text[i])) bad("in numeric literal");
    while (i < n && /[0-9.eE+-]/.test(text[i])) i++;
    const lit = text.slice(start, i);
    if (!/^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/.test(lit)) {
      throw new GoJsonError(`invalid JSON: bad number ${lit}`);
    }
    const value = Number(lit);
    if (/^-?[0-9]+$/.test(lit) && Number.isSafeInteger(value)) return value;
    return new GoNumber(lit, value);
  };
  const value = (context: string): unknown => {
    ws();
    if (i >= n) throw new GoJsonError("unexpected EOF");
    const c = text[i];
    if (c === "{") {
      const obj: Record<string, unknown> = {};
      i++;
      ws();
      if (text[i] === "}") {
        i++;
        return obj;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') bad("looking for beginning of object key string");
        const key = string();
        ws();
        if (text[i] !== ":") bad("after object key");
        i++;
        const v = value("looking for beginning of value");
        // Like JSON.parse, a "__proto__" key is an own property, never the prototype.
        Object.defineProperty(obj, key, { value: v, enumerable: true, writable: true, configurable: true });
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "}") {
          i++;
          return obj;
        }
        bad("after object key:value pair");
      }
    }
    if (c === "[") {
      const arr: unknown[] = [];
      i++;
      ws();
      if (text[i] === "]") {
        i++;
        return arr;
      }
      for (;;) {
        arr.push(value("looking for beginning of value"));
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "]") {
          i++;
          return arr;
        }
        bad("after array element");
      }
    }
    if (c === '"') return string();
    if (c === "-" || (c >= "0" && c <= "9")) return number();
    if (c === "t") {
      literal("true");
      return true;
    }
    if (c === "f") {
      literal("false");
      return false;
    }
    if (c === "n") {
      literal("null");
      return null;
    }
    return bad(context);
  };
  ws();
  if (i >= n) throw new GoJsonError("EOF");
  return value("looking for beginning of value");
}

/** Parses the first JSON value of a body (anything after it is ignored), with Go-like syntax errors. */
export function parseFirstValue(text: string): unknown {
  return parseFirst(text);
}

/** The JSON kind of a parsed value, as Go's errors name it. */
export function jsonKind(v: unknown): string {
  if (v === null) return "null";
  if (v instanceof GoNumber) return "number";
  if (Array.isArray(v)) return "array";
  if (typeof v === "object") return "object";
  return typeof v; // string, number, boolean
}

function kindMatches(goType: GoType, v: unknown): boolean {
  switch (goType) {
    case "string":
      return typeof v === "string";
    case "bool":
      return typeof v === "boolean";
    case "float32":
    case "int64":
    case "int":
      return typeof v === "number" || v instanceof GoNumber;
  }
}

/** Finds the key in `obj` that Go would bind to `field`: exact first, then case-insensitive. */
function findKey(obj: Record<string, unknown>, field: string): string | undefined {
  if (Object.hasOwn(obj, field)) return field;
  const lower = field.toLowerCase();
  for (const k of Object.keys(obj)) if (k.toLowerCase() === lower) return k;
  return undefined;
}

/**
 * Decodes `value` into a copy of `defaults` following `schema`. `goName` is the Go struct's name,
 * used in error messages (`Proxy`, `ToxicWrapper`, `LatencyToxic`); `path` prefixes field names
 * for nested structs (`attributes.`).
 */
export function decodeStruct<T extends Record<string, unknown>>(
  value: unknown,
  schema: GoStruct,
  defaults: T,
  goName: string,
  path = "",
): T {
  const out: Record<string, unknown> = { ...defaults };
  if (value === null) return out as T;
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new GoJsonError(`json: cannot unmarshal ${jsonKind(value)} into Go value of type ${goName}`);
  }
  const obj = value as Record<string, unknown>;
  let firstError: GoJsonError | undefined;
  for (const [field, goType] of Object.entries(schema)) {
    const key = findKey(obj, field);
    if (key === undefined) continue;
    const v = obj[key];
    if (v === null) continue;
    if (!kindMatches(goType, v)) {
      firstError ??= new GoJsonError(
        `json: cannot unmarshal ${jsonKind(v)} into Go struct field ${goName}.${path}${field} of type ${goType}`,
      );
      continue;
    }
    if ((goType === "int64" || goType === "int") && !fitsInt64(v)) {
      const lit = v instanceof GoNumber ? v.text : String(v);
      firstError ??= new GoJsonError(
        `json: cannot unmarshal number ${lit} into Go struct field ${goName}.${path}${field} of type ${goType}`,
      );
      continue;
    }
    const num = v instanceof GoNumber ? v.value : v;
    out[field] = goType === "float32" ? Math.fround(num as number) : num;
  }
  if (firstError) throw firstError;
  return out as T;
}

/** Go's int64 (and int, on 64-bit) decoding: an integer literal within range; `100.0` and `1e3` are refused. */
function fitsInt64(v: unknown): boolean {
  if (typeof v === "number") return Number.isInteger(v);
  if (!(v instanceof GoNumber) || !/^-?[0-9]+$/.test(v.text)) return false;
  const b = BigInt(v.text);
  return b >= INT64_MIN && b <= INT64_MAX;
}

/** Formats a float32 the way Go's encoding/json does: the shortest decimal that round-trips. */
export function formatFloat32(x: number): number {
  const f = Math.fround(x);
  for (let p = 1; p <= 9; p++) {
    const candidate = Number(f.toPrecision(p));
    if (Math.fround(candidate) === f) return candidate;
  }
  return f;
}
