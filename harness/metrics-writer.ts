/**
 * metrics.jsonl: measured signals (replication lag by region pair, conflict counters, ...), one
 * JSON object per line with `t` in the history's clock, written as they are measured.
 */
import { closeSync, existsSync, openSync, readFileSync, writeSync } from "node:fs";

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

/** metrics.jsonl as objects; a missing file is no measurements, a torn line (a crash mid-write)
 *  is skipped: metrics are measurements, not the record of what happened. */
export function readMetrics(path: string): Record<string, unknown>[] {
  if (!existsSync(path)) return [];
  const out: Record<string, unknown>[] = [];
  for (const line of readFileSync(path, "utf8").split("\n")) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line));
    } catch {
      // skipped, as said above
    }
  }
  return out;
}
