/**
 * Splits a JSON array or an EDN document (a vector or list of values, or a stream of values) into the
 * text of its top-level elements, each with the line it starts on. Parsing element by element is
 * what lets a parse error name its line; the EDN library we use reports no positions and is
 * lenient about unbalanced brackets, so the scanner also checks that brackets balance.
 */
import { HistoryParseError } from "./errors.ts";

export interface Chunk {
  text: string;
  /** 1-based line where the element starts. */
  line: number;
}

const OPEN: Record<string, string> = { "[": "]", "{": "}", "(": ")" };
const CLOSE = new Set(["]", "}", ")"]);

function isSpace(c: string): boolean {
  return c === " " || c === "\n" || c === "\t" || c === "\r" || c === ",";
}

/**
 * `syntax` decides whether `;` starts a comment and `\x` is a character literal (EDN only).
 * A document starting with `[` is a vector whose elements are returned; otherwise every
 * top-level value is an element (EDN's one-map-per-line stream).
 */
export function scanElements(text: string, syntax: "json" | "edn", fileName?: string): Chunk[] {
  const edn = syntax === "edn";
  const n = text.length;
  let i = 0;
  let line = 1;
  const chunks: Chunk[] = [];

  const skipBlank = (): void => {
    while (i < n) {
      const c = text[i];
      if (c === "\n") line++;
      if (isSpace(c)) i++;
      else if (edn && c === ";") {
        while (i < n && text[i] !== "\n") i++;
      } else break;
    }
  };

  skipBlank();
  // A vector, or (EDN) a list, of ops; otherwise a stream of top-level values.
  const closer = text[i] === "[" ? "]" : edn && text[i] === "(" ? ")" : undefined;
  const inVector = closer !== undefined;
  const vectorLine = line;
  if (inVector) i++;

  // The closers still expected inside the current element.
  const stack: string[] = [];
  for (;;) {
    skipBlank();
    if (i >= n) {
      if (inVector) {
        throw new HistoryParseError(
          `the "${closer === "]" ? "[" : "("}" opened on line ${vectorLine} is never closed`,
          {
            line: vectorLine,
            fileName,
          },
        );
      }
      return chunks;
    }
    if (inVector && text[i] === closer) {
      i++;
      skipBlank();
      if (i < n) {
        throw new HistoryParseError(`unexpected text after the closing "${closer}" of the history`, {
          line,
          fileName,
        });
      }
      return chunks;
    }
    if (CLOSE.has(text[i])) {
      throw new HistoryParseError(`unexpected "${text[i]}" with nothing open`, { line, fileName });
    }
    const start = i;
    const startLine = line;
    // One element: a tagged value (#tag value), a bracketed value, a string or an atom.
    let done = false;
    while (!done) {
      if (i >= n) {
        throw new HistoryParseError(
          `the value starting on line ${startLine} is never closed (expected "${stack[stack.length - 1] ?? "end"}")`,
          { line: startLine, fileName },
        );
      }
      const c = text[i];
      if (c === "\n") line++;
      if (c === '"') {
        i++;
        while (i < n && text[i] !== '"') {
          if (text[i] === "\\") i++;
          else if (text[i] === "\n") line++;
          i++;
        }
        if (i >= n) {
          throw new HistoryParseError(`string starting on line ${startLine} is never closed`, {
            line: startLine,
            fileName,
          });
        }
        i++;
        if (stack.length === 0) done = true;
        continue;
      }
      if (edn && c === ";") {
        while (i < n && text[i] !== "\n") i++;
        continue;
      }
      if (edn && c === "\\") {
        // Character literal such as \a or \" : skip the escaped character.
        i += 2;
        continue;
      }
      if (c === "#" && edn && text[i + 1] === "{") {
        stack.push("}");
        i += 2;
        continue;
      }
      if (OPEN[c] !== undefined) {
        stack.push(OPEN[c]);
        i++;
        continue;
      }
      if (CLOSE.has(c)) {
        if (stack.length === 0) {
          // The `]` ending the vector right after an atom.
          done = true;
          continue;
        }
        const want = stack.pop();
        if (want !== c) {
          throw new HistoryParseError(`expected "${want}" but found "${c}"`, { line, fileName });
        }
        i++;
        if (stack.length === 0) done = true;
        continue;
      }
      if (isSpace(c)) {
        i++;
        continue;
      }
      // An atom: read to the next delimiter.
      const atomStart = i;
      while (
        i < n &&
        !isSpace(text[i]) &&
        OPEN[text[i]] === undefined &&
        !CLOSE.has(text[i]) &&
        text[i] !== '"'
      ) {
        if (edn && text[i] === ";") break;
        i++;
      }
      // A tag (#inst, #jepsen.history.Op) or discard (#_) prefixes the next value.
      const isTag = edn && text[atomStart] === "#";
      if (stack.length === 0 && !isTag) done = true;
    }
    chunks.push({ text: text.slice(start, i), line: startLine });
  }
}
