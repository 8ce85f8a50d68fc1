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
 * Scans the first JSON value in `text` and returns where it ends, or throws the syntax error Go's
 * scanner reports (`invalid character 'x' looking for beginning of value`, `unexpected EOF`, ...).
 */
function firstValueEnd(text: string): number {
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
  const string = () => {
    i++; // opening quote
    while (i < n) {
      const c = text[i];
      if (c === '"') {
        i++;
        return;
      }
      if (c === "\\") i++;
      else if (c < " ") bad("in string literal");
      i++;
    }
    throw new GoJsonError("unexpected EOF");
  };
  const number = () => {
    if (text[i] === "-") i++;
    if (i >= n) throw new GoJsonError("unexpected EOF");
    if (!/[0-9]/.test(text[i])) bad("in numeric literal");
    while (i < n && /[0-9.eE+-]/.test(text[i])) i++;
  };
  const value = (context: string) => {
    ws();
    if (i >= n) throw new GoJsonError("unexpected EOF");
    const c = text[i];
    if (c === "{") {
      i++;
      ws();
      if (text[i] === "}") {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') bad("looking for beginning of object key string");
        string();
        ws();
        if (text[i] !== ":") bad("after object key");
        i++;
        value("looking for beginning of value");
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "}") {
          i++;
          return;
        }
        bad("after object key:value pair");
      }
    }
    if (c === "[") {
      i++;
      ws();
      if (text[i] === "]") {
        i++;
        return;
      }
      for (;;) {
        value("looking for beginning of value");
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "]") {
          i++;
          return;
        }
        bad("after array element");
      }
    }
    if (c === '"') return string();
    if (c === "-" || (c >= "0" && c <= "9")) return number();
    if (c === "t") return literal("true");
    if (c === "f") return literal("false");
    if (c === "n") return literal("null");
    bad(context);
  };
  ws();
  if (i >= n) throw new GoJsonError("EOF");
  value("looking for beginning of value");
  return i;
}

/** Parses the first JSON value of a body, with Go-like syntax error messages. */
export function parseFirstValue(text: string): unknown {
  const end = firstValueEnd(text);
  const slice = text.slice(0, end);
  try {
    return JSON.parse(slice);
  } catch (e) {
    // Only what the scanner lets through (e.g. a bad escape or number) gets here.
    throw new GoJsonError(`invalid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function jsonKind(v: unknown): string {
  if (v === null) return "null";
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
      return typeof v === "number";
    case "int64":
    case "int":
      return typeof v === "number";
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
    if ((goType === "int64" || goType === "int") && !Number.isInteger(v)) {
      firstError ??= new GoJsonError(
        `json: cannot unmarshal number ${v} into Go struct field ${goName}.${path}${field} of type ${goType}`,
      );
      continue;
    }
    out[field] = goType === "float32" ? Math.fround(v as number) : v;
  }
  if (firstError) throw firstError;
  return out as T;
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
