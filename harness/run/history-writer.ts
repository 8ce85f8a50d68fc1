/**
 * Streams a history to `history.jsonl` as it happens. Each op is written with a synchronous
 * write, so it is in the OS's hands the moment it is recorded: a harness that crashes or is
 * killed leaves every recorded op on disk, and the file stays checkable.
 */
import { closeSync, fsyncSync, openSync, writeSync } from "node:fs";
import type { Op } from "../../checkers/history/op.ts";

export type OpInput = Omit<Op, "index" | "time" | "line"> & { time?: number };

export class HistoryWriter {
  private fd: number | undefined;
  private nextIndex = 0;
  private started = process.hrtime.bigint();
  /** Listeners see every op as recorded (progress, live latency, tests). */
  private readonly listeners: ((op: Op) => void)[] = [];

  constructor(readonly path: string) {
    this.fd = openSync(path, "a");
  }

  /** Nanoseconds since the writer was created: the history's clock. */
  now(): number {
    return Number(process.hrtime.bigint() - this.started);
  }

  /** Sets time 0 to now: the runner calls it as the workload and the fault schedule begin. */
  startClock(): void {
    this.started = process.hrtime.bigint();
  }

  onOp(listener: (op: Op) => void): void {
    this.listeners.push(listener);
  }

  record(input: OpInput): Op {
    const op: Op = { index: this.nextIndex++, ...input, time: input.time ?? this.now() } as Op;
    if (this.fd !== undefined) writeSync(this.fd, `${JSON.stringify(op)}\n`);
    for (const l of this.listeners) l(op);
    return op;
  }

  get count(): number {
    return this.nextIndex;
  }

  close(): void {
    if (this.fd === undefined) return;
    fsyncSync(this.fd);
    closeSync(this.fd);
    this.fd = undefined;
  }
}
