/**
 * The progress line while a run goes: elapsed, ops/s, ok/fail/info, the current fault.
 * On a terminal it redraws in place; elsewhere (CI logs) it prints a line every few seconds.
 */
import cliProgress from "cli-progress";
import { NEMESIS, type Op } from "../../checkers/history/op.ts";
import { isNormalNoEffect } from "../../checkers/no-effect.ts";
import { describeFault } from "../nemesis/describe.ts";
import { findFaultDefinition } from "../nemesis/registry.ts";
import type { FaultSpecLike } from "../nemesis/spec.ts";

export class RunProgress {
  private readonly bar: cliProgress.SingleBar;
  private ok = 0;
  /** A cas whose compare did not match etc.: a normal answer, shown apart from failures. */
  private noEffect = 0;
  private fail = 0;
  private info = 0;
  private fault = "none";
  private readonly started = performance.now();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly totalS: number) {
    this.bar = new cliProgress.SingleBar(
      {
        format:
          "{bar} {value}/{total}s | {ops} ops, {rate} ops/s | ok {ok} no-effect {noEffect} fail {fail} info {info} | fault: {fault}",
        barsize: 20,
        stream: process.stderr,
        noTTYOutput: !process.stderr.isTTY,
        notTTYSchedule: 5000,
        hideCursor: true,
      },
      cliProgress.Presets.shades_classic,
    );
  }

  start(): void {
    this.bar.start(Math.round(this.totalS), 0, this.payload());
    this.timer = setInterval(
      () => this.bar.update(Math.min(this.totalS, Math.round(this.elapsedS())), this.payload()),
      500,
    );
  }

  /** Fed every recorded op. */
  observe(op: Op): void {
    if (op.process === NEMESIS) {
      // A fault's start op names it; its stop op clears it.
      this.fault = op.phase === "stop" ? "none" : faultLabel(op);
      return;
    }
    if (isNormalNoEffect(op)) this.noEffect++;
    else if (op.type === "ok") this.ok++;
    else if (op.type === "fail") this.fail++;
    else if (op.type === "info") this.info++;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.bar.update(Math.min(this.totalS, Math.round(this.elapsedS())), this.payload());
    this.bar.stop();
  }

  private elapsedS(): number {
    return (performance.now() - this.started) / 1000;
  }

  private payload() {
    const ops = this.ok + this.noEffect + this.fail + this.info;
    return {
      ops,
      rate: (ops / Math.max(this.elapsedS(), 0.001)).toFixed(0),
      ok: this.ok,
      noEffect: this.noEffect,
      fail: this.fail,
      info: this.info,
      fault: this.fault,
    };
  }
}

/** The fault as planned, in words; what the op says when it failed or its spec is not one faultline knows. */
function faultLabel(op: Op): string {
  const spec = op.spec as FaultSpecLike | undefined;
  const known =
    op.error === undefined && typeof spec?.kind === "string" && findFaultDefinition(spec.kind) !== undefined;
  const v = known ? describeFault(spec!) : typeof op.value === "string" ? op.value : op.f;
  return v.length > 60 ? `${v.slice(0, 57)}...` : v;
}
