/**
 * Elle-style transactional checkers: infer a dependency graph from a history of transactions,
 * find its cycles, name the anomalies (G0 ... G2-item, G1a, lost-update, ...) and the
 * consistency models they rule out. See DESIGN.md and the Elle paper (Kingsbury & Alvaro,
 * VLDB 2020).
 */
import type { Checker } from "../checker.ts";
import { runElle } from "./check.ts";
import { inferListAppend } from "./list-append.ts";
import { inferRwRegister, type RwRegisterOptions } from "./rw-register.ts";

export type { ElleResult } from "./check.ts";
export { anomaliesProhibitedBy, boundary, canonicalModel, KNOWN_MODELS } from "./consistency-models.ts";
export { ElleInputError } from "./errors.ts";
export type { CycleEdge, CycleExplanation, CycleGraph, CycleNode, DependencyKind } from "./explanation.ts";
export type { RwRegisterOptions } from "./rw-register.ts";

export const elleListAppendChecker: Checker = {
  name: "elle-list-append",
  description: "Elle-style isolation anomalies in list-append transactions (--consistency-model)",
  check: (history, options) => runElle(history, options, inferListAppend),
};

export const elleRwRegisterChecker: Checker = {
  name: "elle-rw-register",
  description: "Elle-style isolation anomalies in read/write register transactions (--consistency-model)",
  // Options may also carry `sequentialKeys` / `linearizableKeys` (RwRegisterOptions).
  check: (history, options) =>
    runElle(history, options, (t) => inferRwRegister(t, options as RwRegisterOptions)),
};
