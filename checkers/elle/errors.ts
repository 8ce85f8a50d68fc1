/**
 * Malformed transactions: an unknown micro-op, a read of the wrong type, a value appended or
 * written twice. Elle's inferences are only sound on well-formed histories, so these stop the
 * check instead of becoming anomalies. The message names the op's line (or index) so the user
 * can find it.
 */
import type { Op } from "../history/op.ts";

export class ElleInputError extends Error {
  override name = "ElleInputError";
  /** 1-based line of the offending op in its source file, when known. */
  readonly line: number | undefined;
  /** `index` of the offending op. */
  readonly index: number | undefined;
  /** The message without the location prefix. */
  readonly reason: string;

  constructor(reason: string, op?: Op) {
    const line = typeof op?.line === "number" ? op.line : undefined;
    const where = line !== undefined ? `line ${line}` : op !== undefined ? `op index ${op.index}` : undefined;
    super(where ? `${where}: ${reason}` : reason);
    this.line = line;
    this.index = op?.index;
    this.reason = reason;
  }
}
