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

/** Where the first JSON value in `text` ends, or throws the error Go's decoder would give. */
function firstValueEnd(text: string): number {
  let i = 0;
  const n = text.length;
  const skipWs = () => {
    while (i < n && (text[i] === " " || text[i] === "\t" || text[i] === "\n" || text[i] === "\r")) i++;
  };
  skipWs();
  if (i >= n) throw new GoJsonError("EOF");
  const start = text[i];
  if (start === "{" || start === "[") {
    let depth = 0;
    let inString = false;
    for (; i < n; i++) {
      const c = text[i];
      if (inString) {
        if (c === "\\") i++;
        else if (c === '"') inString = false;
      } else if (c === '"') inString = true;
      else if (c === "{" || c === "[") depth++;
      else if (c === "}" || c === "]") {
        depth--;
        if (depth === 0) return i + 1;
      }
    }
    throw new GoJsonError("unexpected EOF");
  }
  if (start === '"') {
    for (i++; i < n; i++) {
      if (text[i] === "\\") i++;
      else if (text[i] === '"') return i + 1;
    }
    throw new GoJsonError("unexpected EOF");
  }
  // Literal or number: runs until a delimiter.
  while (i < n && !/[\s,\]}{[:"]/.test(text[i])) i++;
  return i;
}

/** Parses the first JSON value of a body, with Go-like syntax error messages. */
export function parseFirstValue(text: string): unknown {
  const end = firstValueEnd(text);
  const slice = text.slice(0, end);
  try {
    return JSON.parse(slice);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const m = /Unexpected token (.)/.exec(msg) ?? /Unexpected (?:non-whitespace )?character (.)/.exec(msg);
    if (m) throw new GoJsonError(`invalid character '${m[1]}' looking for beginning of value`);
    if (/end of JSON/i.test(msg)) throw new GoJsonError("unexpected EOF");
    throw new GoJsonError(`invalid character in JSON value: ${msg}`);
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
