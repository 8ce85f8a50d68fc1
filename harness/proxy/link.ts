/**
 * One direction of one proxied connection: bytes read from `source` flow through the chain of
 * toxic stages into `dest` (Toxiproxy's ToxicLink).
 *
 * With no toxics the link is a plain pipe: each chunk is written straight to the destination,
 * with no copy and no allocation. Backpressure: the source is paused while the destination's
 * buffer is full or while the stages hold more than HIGH_WATER bytes (latency and bandwidth hold
 * data by design), and resumed when both have drained.
 *
 * Toxicity is rolled per stage, as Toxiproxy rolls per stub each time it (re)starts a stub: when a
 * toxic is added to an open link the stage that was last is restarted (so re-rolled), when one
 * is removed its predecessor is, and an updated toxic's own stage is.
 *
 * As in Toxiproxy, when one side's stream ends (after what is in flight has been written) the
 * destination is closed completely, not half-closed, which in turn ends the other direction.
 */
import type { Socket } from "node:net";
import type { ByteCounters } from "./metrics.ts";
import type { LinkControl, Sink, Stage, StreamDirection, Toxic } from "./toxic.ts";
import { toxicType } from "./toxics/registry.ts";

/** Bytes the stages of one link may hold before the source is paused. */
const HIGH_WATER = 32 * 1024 * 1024;

export class Link implements LinkControl {
  readonly stages: Stage[] = [];
  private first: Sink;
  private readonly tail: Sink;
  private inFlight = 0;
  private needDrain = false;
  private paused = false;
  private sourceDone = false;
  private destEnded = false;
  /**
   * Toxiproxy sets SO_LINGER 0 on a link's source only when a reset_peer toxic is present as the
   * link starts; a reset_peer added later closes with a FIN like any other close.
   */
  readonly lingerZero: boolean;

  constructor(
    readonly direction: StreamDirection,
    private readonly source: Socket,
    private readonly dest: Socket,
    toxics: readonly Toxic[],
    private readonly counters: ByteCounters,
    private readonly onReset: () => void,
  ) {
    this.tail = { write: (c) => this.deliver(c), end: () => this.endDest() };
    this.first = this.tail;
    this.lingerZero = toxics.some((t) => t.type === "reset_peer");
    for (const t of toxics) this.appendStage(t);
  }

  start(): void {
    this.source.on("data", (chunk: Buffer) => this.onSourceData(chunk));
    this.source.on("end", () => this.onSourceEnd());
    this.source.on("close", () => this.onSourceEnd());
    this.dest.on("drain", () => {
      this.needDrain = false;
      this.maybeResume();
    });
  }

  private onSourceData(chunk: Buffer): void {
    this.counters.received += chunk.length;
    if (this.first === this.tail) {
      // Fast path: no toxics.
      if (this.destEnded || this.dest.destroyed) return;
      this.counters.sent += chunk.length;
      if (!this.dest.write(chunk)) {
        this.needDrain = true;
        this.pause();
      }
      return;
    }
    this.inFlight += chunk.length;
    this.first.write(chunk);
    if (this.inFlight > HIGH_WATER || this.needDrain) this.pause();
  }

  private onSourceEnd(): void {
    if (this.sourceDone) return;
    this.sourceDone = true;
    this.first.end();
  }

  private deliver(chunk: Buffer): void {
    this.inFlight -= chunk.length;
    if (this.destEnded || this.dest.destroyed) return;
    this.counters.sent += chunk.length;
    if (!this.dest.write(chunk)) this.needDrain = true;
    else if (this.paused) this.maybeResume();
  }

  private endDest(): void {
    if (this.destEnded) return;
    this.destEnded = true;
    if (this.dest.destroyed) return;
    // A full close once the data is out (Toxiproxy calls Close, not CloseWrite).
    this.dest.end(() => this.dest.destroy());
  }

  private pause(): void {
    if (this.paused || this.sourceDone) return;
    this.paused = true;
    this.source.pause();
  }

  private maybeResume(): void {
    if (!this.paused || this.needDrain || this.inFlight > HIGH_WATER / 2) return;
    this.paused = false;
    this.source.resume();
  }

  // LinkControl, for stages.
  dropped(bytes: number): void {
    this.inFlight -= bytes;
    if (this.paused) this.maybeResume();
  }

  reset(): void {
    this.onReset();
  }

  /** Appends a stage for a toxic newly added to the proxy; the stage that was last re-rolls. */
  addToxic(toxic: Toxic): void {
    const last = this.stages.at(-1);
    if (this.appendStage(toxic)) last?.update();
  }

  /** Appends a stage; false when the link's output already ended. */
  private appendStage(toxic: Toxic): boolean {
    const type = toxicType(toxic.type);
    if (!type) return false;
    const last = this.stages.at(-1);
    // A link whose output already ended gets nothing new (Toxiproxy closes the new stub at once).
    if (last ? last.closed : this.destEnded) return false;
    const stage = new type.stage(toxic, this, this.tail);
    if (last) last.next = stage;
    else this.first = stage;
    this.stages.push(stage);
    return true;
  }

  updateToxic(toxic: Toxic): void {
    for (const s of this.stages) if (s.toxic === toxic) s.update();
  }

  removeToxic(toxic: Toxic): void {
    const i = this.stages.findIndex((s) => s.toxic === toxic);
    if (i < 0) return;
    const stage = this.stages[i];
    // Pass on what it holds to its successor first, so that order is kept; then unlink it.
    stage.remove();
    this.stages.splice(i, 1);
    if (i === 0) this.first = stage.next;
    else this.stages[i - 1].next = stage.next;
    // Toxiproxy restarts the predecessor's stub to rewire it, which rolls its toxicity again.
    if (i > 0) this.stages[i - 1].update();
    if (this.first === this.tail) this.inFlight = 0;
    if (this.paused) this.maybeResume();
  }

  /** The connection is gone: stop every stage's timers. */
  dispose(): void {
    for (const s of this.stages) s.dispose();
  }
}
