/**
 * Elle-style transactional checkers: infer a dependency graph from a history of transactions,
 * find its cycles, name the anomalies (G0 ... G2-item, G1a, lost-update, ...) and the
 * consistency models they rule out. See DESIGN.md and the Elle paper (Kingsbury & Alvaro,
 * VLDB 2020).
 */
import type { Checker, CheckOptions } from "../checker.ts";
import { readTxnColumns } from "../history/read-txn-columns.ts";
import { F_TXN } from "../history/txn-columns.ts";
import type { Inference } from "./inference.ts";
import type { TxnTable } from "./txns.ts";
import { runElle } from "./check.ts";
import { inferListAppend } from "./list-append.ts";
import { inferRwRegister, type RwRegisterOptions } from "./rw-register.ts";

export type { ElleResult } from "./check.ts";
export { anomaliesProhibitedBy, boundary, canonicalModel, KNOWN_MODELS } from "./consistency-models.ts";
export { ElleInputError } from "./errors.ts";
export type { CycleEdge, CycleExplanation, CycleGraph, CycleNode, DependencyKind } from "./explanation.ts";
export type { RwRegisterOptions } from "./rw-register.ts";

/**
 * A JSON history checked from its text: read into columns, never into Op objects (undefined for
 * EDN and the like, and for a history without client ops: the ordinary path answers those).
 */
function checkText(
  text: string | Uint8Array,
  fileName: string | undefined,
  options: CheckOptions,
  infer: (t: TxnTable) => Inference,
) {
  const columns = readTxnColumns(text, { fileName });
  // No client ops, or no transactions: the ordinary path says so in its own words.
  if (columns === undefined || !columns.f.includes(F_TXN)) return undefined;
  return runElle(columns, options, infer);
}

export const elleListAppendChecker: Checker = {
  name: "elle-list-append",
  description: "Elle-style isolation anomalies in list-append transactions (--consistency-model)",
  check: (history, options) => runElle(history, options, inferListAppend),
  checkText: (text, fileName, options) => checkText(text, fileName, options, inferListAppend),
};

export const elleRwRegisterChecker: Checker = {
  name: "elle-rw-register",
  description: "Elle-style isolation anomalies in read/write register transactions (--consistency-model)",
  // Options may also carry `sequentialKeys` / `linearizableKeys` (RwRegisterOptions).
  check: (history, options) =>
    runElle(history, options, (t) => inferRwRegister(t, options as RwRegisterOptions)),
  checkText: (text, fileName, options) =>
    checkText(text, fileName, options, (t) => inferRwRegister(t, options as RwRegisterOptions)),
};
