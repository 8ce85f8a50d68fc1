/**
 * Escaping for everything that leaves faultline as markup. Every value that came from a database,
 * a history or a config file is untrusted: it reaches HTML, XML and Markdown only through here.
 */

const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
  "`": "&#96;",
};

/** Escapes text for HTML element content and for quoted attribute values alike. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"'`]/g, (c) => HTML_ESCAPES[c]);
}

/**
 * XML 1.0 text/attribute escaping. Control characters that XML 1.0 cannot carry at all (a
 * database can return them) are replaced by U+FFFD so the document stays well formed.
 */
export function escapeXml(value: unknown): string {
  return (
    String(value)
      // Characters XML 1.0 cannot carry at all.
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, "\uFFFD")
      .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD")
      .replace(/[&<>"']/g, (c) => HTML_ESCAPES[c])
  );
}

/**
 * JSON for a `<script type="application/json">` block: `<`, `>`, `&` and the JS line separators
 * are written as \u escapes, so no value can close the script element or open a comment.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value ?? null)
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

/**
 * Text for a Markdown table cell or paragraph: HTML-escaped (job summaries render inline HTML),
 * Markdown punctuation neutralised, newlines folded so a value cannot break the table.
 */
export function escapeMarkdown(value: unknown): string {
  // Markdown punctuation first, then the three characters that open HTML (no entity contains
  // Markdown punctuation, so the order keeps both intact; quotes need no escaping outside attributes).
  return String(value)
    .replace(/\r?\n/g, " ")
    .replace(/([\\`*_[\]()#!~|])/g, "\\$1")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;");
}

/** A short, single-line rendering of any value (op values, fault descriptions), cut at `max` chars. */
/**
 * Text cut to at most `max` characters at a word boundary ("isolate eu-west…", not
 * "isolate eu-we…"); a single word longer than half the room is cut where it must be.
 */
export function cutAtWord(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 1) return "";
  const head = text.slice(0, max - 1);
  const space = head.search(/\s\S*$/);
  const cut = space >= max / 2 ? head.slice(0, space) : head;
  return `${cut.replace(/[\s,;:(\-–]+$/, "")}…`;
}

export function compactValue(value: unknown, max = 120): string {
  let s: string;
  if (value === undefined) s = "";
  else if (typeof value === "string") s = value;
  else {
    try {
      s = JSON.stringify(value) ?? String(value);
    } catch {
      s = String(value);
    }
  }
  // Words (a fault's description) are cut between words; JSON where it must be.
  if (typeof value === "string") return cutAtWord(s, max);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}
