/**
 * The contract between the CLI/harness and a checker: a pure function of a history.
 * Checkers never do I/O beyond reading the history they are handed.
 */
import type { History } from "./history/op.ts";
import type { CheckerResult } from "./verdict.ts";

export interface CheckOptions {
  /** Sequential model for linearizability: register, cas-register, multi-register, kv, set, mutex, fifo-queue. */
  model?: string;
  /** Initial model state, already parsed from JSON (`--initial 0`, `--initial '{"x":0}'`). */
  initial?: unknown;
  /** Elle: the consistency model that must hold (default strict-serializable). */
  consistencyModel?: string;
  /** Budget in milliseconds; past it the verdict is "unknown", never a hang. */
  timeLimitMs?: number;
  /** Memory ceiling for search state, in bytes. */
  memoryLimitBytes?: number;
  /** Bank: the fixed total every read must sum to (else from the history; see checkers/bank.ts). */
  total?: number;
  /** Bank: negative balances are allowed (Jepsen's `:negative-balances?`). */
  negativeBalances?: boolean;
  /** Check every independent key even after one is invalid (to report every anomaly, not just the first). */
  allKeys?: boolean;
  /**
   * Linearizability: an ok read of null matches any state (`any`, Knossos's convention for
   * register, cas-register, multi-register) or means the value null (`value`, the default).
   */
  nilReads?: "any" | "value";
  /** Staleness: how stale (ms since a replacing write was acknowledged) a read may be and pass. */
  staleBoundMs?: number;
  /** Counter: judge only the reads marked `final` (after healing and quiescing). */
  finalReadsOnly?: boolean;
  /** home-linearizable: key k's home node is homes[k mod homes.length]. */
  homes?: string[];
}

/** What a run hands a checker besides the history: its measured signals (store records such as
 *  last-writer-wins discards). Data only; absent when a history is checked on its own. */
export interface CheckContext {
  signals?: Record<string, unknown>;
}

export interface Checker {
  name: string;
  description: string;
  check(
    history: History,
    options: CheckOptions,
    context?: CheckContext,
  ): CheckerResult | Promise<CheckerResult>;
  /**
   * Optional: the same check on the history's text (a JSON history read by the checker into its
   * own compact form, e.g. Elle's columns). undefined: this text is not one it reads that way;
   * call `check` on the parsed history instead.
   */
  checkText?(
    text: string | Uint8Array,
    fileName: string | undefined,
    options: CheckOptions,
  ): CheckerResult | undefined | Promise<CheckerResult | undefined>;
}
