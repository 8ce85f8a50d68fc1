/**
 * Outcomes that are an operation's normal answer, not an error: a compare-and-set whose compare did
 * not match (`cas-mismatch`) or a transfer the bank refused for lack of funds
 * (`insufficient-funds`) definitely had no effect, and that is exactly what the operation promises.
 * They are recorded as `fail` (Jepsen's convention, which the checkers rely on) but are counted
 * apart from errors and unknowns wherever a rate or a count of failures is shown, so a healthy
 * store's error rate is not inflated by correct answers.
 */
import type { Op } from "./history/op.ts";

/** `error` values that mean "the operation's normal no-effect answer". */
export const NORMAL_NO_EFFECT_ERRORS: ReadonlySet<string> = new Set(["cas-mismatch", "insufficient-funds"]);

/** A completion that definitely had no effect because that was the right answer. */
export function isNormalNoEffect(op: Pick<Op, "type" | "error">): boolean {
  return op.type === "fail" && typeof op.error === "string" && NORMAL_NO_EFFECT_ERRORS.has(op.error);
}
