/**
 * `faultline export RUN_DIR|HISTORY --format edn [-o FILE]`: a history as Jepsen EDN, so that the
 * tools users already trust (Knossos, elle-cli, Jepsen's own checkers) can read a faultline run.
 * Keywords for :type, :f and micro-op names, :process, :value, :index, :time; keyed ops as
 * Jepsen's independent `[k v]` tuples; txn micro-ops as `[:append k v]` / `[:r k v]`.
 *
 * What an ok read of nil means travels with the file (a leading EDN comment): faultline's JSONL
 * reads are strict (nil is the value read), Knossos takes nil as "unknown". `faultline check`
 * reads the marker back, so an exported history gets the verdict its source got; Knossos will
 * still read nil reads its own way.
 */
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { toEdn } from "../../checkers/history/edn.ts";
import { defaultNilReads, detectFormat, parseHistory } from "../../checkers/history/parse.ts";
import { EXIT } from "../../checkers/verdict.ts";

export const EXPORT_FORMATS = ["edn"] as const;

export interface ExportFlags {
  format: (typeof EXPORT_FORMATS)[number];
  /** Output file; default stdout. */
  out?: string;
  /** Wrap the ops in one `[...]` vector (Knossos's data files) instead of one map per line (Jepsen's history.edn). */
  vector?: boolean;
}

/** The EDN text for a run folder or history file. */
export function exportHistory(input: string, flags: Omit<ExportFlags, "out">): string {
  if (!(EXPORT_FORMATS as readonly string[]).includes(flags.format)) {
    throw new Error(`unknown --format '${flags.format}' (known: ${EXPORT_FORMATS.join(", ")})`);
  }
  const file = isDirectory(input) ? join(input, "history.jsonl") : input;
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === "ENOENT" ? "no such file" : e.message;
    throw new Error(
      isDirectory(input)
        ? `${input} has no history.jsonl (${why}): not a run folder`
        : `cannot read history '${file}': ${why}`,
    );
  }
  const history = parseHistory(text, { fileName: file });
  const nilReads = defaultNilReads(detectFormat(text, file), text);
  return toEdn(history, { vector: flags.vector, nilReads });
}

export async function exportCommand(input: string, flags: ExportFlags): Promise<number> {
  try {
    const edn = exportHistory(input, flags);
    if (flags.out) {
      writeFileSync(flags.out, edn);
      console.error(`faultline: wrote ${flags.out}`);
    } else {
      process.stdout.write(edn);
    }
    return EXIT.valid;
  } catch (err) {
    console.error(`faultline: ${(err as Error).message}`);
    return EXIT.error;
  }
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
