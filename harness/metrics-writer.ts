/**
 * metrics.jsonl: measured signals (replication lag by region pair, conflict counters, ...), one
 * JSON object per line with `t` in the history's clock, written as they are measured.
 */
import { closeSync, openSync, writeSync } from "node:fs";

export interface Metric {
  /** Nanoseconds since the run started (same clock as the history). */
  t: number;
  kind: string;
  [field: string]: unknown;
}

export class MetricsWriter {
  private fd: number | undefined;

  constructor(
    readonly path: string,
    private readonly now: () => number,
  ) {
    this.fd = openSync(path, "a");
  }

  record(metric: Omit<Metric, "t">): void {
    if (this.fd === undefined) return;
    writeSync(this.fd, `${JSON.stringify({ t: this.now(), ...metric })}\n`);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
