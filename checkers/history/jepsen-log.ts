/**
 * Reads the operations out of a Jepsen log (`jepsen.log`, the `*.log` files Porcupine's test
 * data keeps) or Jepsen's `history.txt`: Jepsen prints each op (`jepsen.util/op->str`) as
 * process, type, f, value and optionally the error, tab separated, after the logger's prefix:
 *
 *     INFO  jepsen.util - 3	:invoke	:cas	[1 4]
 *     INFO  jepsen.util - 3	:info	:cas	[1 4]	:timed-out
 *     2018-02-02 11:17:36,776{GMT}	INFO	[jepsen worker 3] jepsen.util: 3	:fail	:read	nil	:timeout
 *     :nemesis	:info	:start	nil
 *
 * Every other line is skipped. Old Jepsen logs put a crashed op's error keyword where the value
 * goes (`3	:info	:cas	:timed-out`); it becomes the op's `error`, since the value is the invoke's.
 */
import { parseEDNString } from "edn-data";
import { HistoryParseError } from "./errors.ts";

/**
 * An op line is recognised by its shape: a process (the last word before the first tab), then
 * a tab and the type keyword. The rest of a log is prose.
 */
const OP_LINE = /(?:^|\s)([^\s]+)\t(:[a-z]+)\t(.*)$/;
const TYPE_AFTER_TAB = /\t:(invoke|ok|fail|info)\t/;

/** Does this text look like a Jepsen log or history.txt (an op line among its first lines)? */
export function looksLikeJepsenLog(text: string): boolean {
  const head = text.slice(0, 4096);
  for (const line of head.split("\n")) {
    if (TYPE_AFTER_TAB.test(line) && OP_LINE.test(line)) return true;
  }
  return false;
}

export interface JepsenLogOp {
  value: Record<string, unknown>;
  line: number;
}

const EDN_OPTIONS = {
  mapAs: "object",
  keywordAs: "string",
  setAs: "array",
  listAs: "array",
  charAs: "string",
  symbolAs: "string",
} as const;

/** The op lines of a Jepsen log as raw op maps (process, type, f, value[, error]) with their line. */
export function readJepsenLog(text: string, fileName?: string): JepsenLogOp[] {
  const out: JepsenLogOp[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    // An op line, or a jepsen.util line with tabs that tries to be one (reported, not skipped).
    if (!TYPE_AFTER_TAB.test(lines[i]) && !(lines[i].includes("jepsen.util") && lines[i].includes("\t")))
      continue;
    const m = OP_LINE.exec(lines[i].replace(/\r$/, ""));
    if (m === null) continue;
    const line = i + 1;
    const fail = (reason: string): never => {
      throw new HistoryParseError(
        `${reason}; expected a Jepsen op line "INFO  jepsen.util - PROCESS<tab>:TYPE<tab>:F<tab>VALUE"`,
        { line, fileName },
      );
    };
    const proc = m[1];
    const type = m[2];
    const rest = m[3].split("\t");
    const f = rest[0];
    const valueText = (rest[1] ?? "").trim();
    const errorText = rest.slice(2).join("\t").trim();
    let process: number | string;
    if (/^-?\d+$/.test(proc.trim())) process = Number(proc.trim());
    else if (proc.trim().startsWith(":")) process = proc.trim().slice(1);
    else return fail(`process ${JSON.stringify(proc)} is neither an integer nor a keyword`);
    if (!/^:(invoke|ok|fail|info)$/.test(type.trim())) {
      return fail(`type ${JSON.stringify(type)} is not :invoke, :ok, :fail or :info`);
    }
    const ty = type.trim().slice(1);
    const fName = f.trim().replace(/^:/, "");
    if (fName === "") return fail("missing f");
    let value: unknown = null;
    if (valueText !== "") {
      // edn-data reads "[1 4" as nil and "1 2" as 1: make sure the field is exactly one value.
      if (!balanced(valueText))
        return fail(`value ${JSON.stringify(valueText)} is not EDN (unbalanced brackets)`);
      try {
        const vs = parseEDNString(`[${valueText}]`, EDN_OPTIONS) as unknown[];
        if (vs.length !== 1) throw new Error(`${vs.length} values where one was expected`);
        value = vs[0];
      } catch (e) {
        return fail(`value ${JSON.stringify(valueText)} is not EDN (${(e as Error).message})`);
      }
    }
    if (typeof value === "bigint")
      value = Number.isSafeInteger(Number(value)) ? Number(value) : String(value);
    const op: Record<string, unknown> = { process, type: ty, f: fName, value };
    if (errorText !== "") op.error = errorText.replace(/^:/, "");
    // `:info :write :timed-out` (old Jepsen): the keyword is why it crashed, not what it wrote.
    else if ((ty === "info" || ty === "fail") && /^:[^\s[\]{}()]+$/.test(valueText)) {
      op.value = null;
      op.error = valueText.slice(1);
    }
    out.push({ value: op, line });
  }
  return out;
}

/** Are (), [] and {} balanced outside strings? */
function balanced(text: string): boolean {
  const stack: string[] = [];
  const close: Record<string, string> = { ")": "(", "]": "[", "}": "{" };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === "\\") i++;
      if (i >= text.length) return false;
    } else if (c === "(" || c === "[" || c === "{") stack.push(c);
    else if (c in close && stack.pop() !== close[c]) return false;
  }
  return stack.length === 0;
}
