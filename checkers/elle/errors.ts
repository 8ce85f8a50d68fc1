/**
 * Malformed transactions: an unknown micro-op, a read of the wrong type, a value appended or
 * written twice. Elle's inferences are only sound on well-formed histories, so these stop the
 * check instead of becoming anomalies. A `HistoryParseError`, so the CLI reports it as bad input
 * (exit 3) with the op's line, and `inFile(name)` can add the file.
 */
import { HistoryParseError } from "../history/errors.ts";
import type { Op } from "../history/op.ts";

export class ElleInputError extends HistoryParseError {
  override name = "ElleInputError";
  /** `index` of the offending op. */
  readonly index: number | undefined;

  constructor(reason: string, op?: Op) {
    const line = typeof op?.line === "number" ? op.line : undefined;
    // Without a line (in-memory histories), say which op by its index.
    super(line === undefined && op !== undefined ? `op index ${op.index}: ${reason}` : reason, { line });
    this.index = op?.index;
  }
}
