/**
 * Canonical text of a JSON-like value (object keys sorted), so equal values compare equal as
 * strings: a register holding `{"a":1,"b":2}` equals a read of `{"b":2,"a":1}`. Strings are
 * cheap to compare and hash, which is what the search does most.
 */
export function canonical(v: unknown): string {
  if (v === undefined) return "null";
  if (v === null || typeof v !== "object") return JSON.stringify(v) ?? String(v);
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`).join(",")}}`;
}

/** FNV-1a over UTF-16 code units; states are hashed only when first met, not per search step. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}
