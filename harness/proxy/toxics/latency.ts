/**
 * `latency`: delays each chunk by `latency` ± `jitter` ms, measured from when the chunk entered
 * the proxy (so back-to-back chunks are pipelined, not delayed one after another), in order.
 * As Toxiproxy's LatencyToxic: a delay is drawn per chunk as latency + U[-jitter, jitter).
 */
import { ChunkQueue, Stage } from "../toxic.ts";

export class LatencyStage extends Stage {
  private readonly queue = new ChunkQueue();
  private timer: NodeJS.Timeout | undefined;

  private delayMs(): number {
    const { latency = 0, jitter = 0 } = this.toxic.attributes;
    let d = latency;
    if (jitter > 0) d += Math.floor(Math.random() * jitter * 2) - jitter;
    return d;
  }

  protected onData(chunk: Buffer): void {
    this.queue.push(chunk, performance.now());
    if (this.timer === undefined && this.queue.length === 1) this.pump();
  }

  protected onEnd(): void {
    this.queue.ended = true;
    if (this.timer === undefined && this.queue.length === 0) this.closeOutput();
  }

  /** Emits every chunk whose time has come; arms a timer for the next one. */
  private pump(): void {
    this.timer = undefined;
    while (this.queue.length > 0) {
      const wait = this.delayMs() - (performance.now() - this.queue.peekArrival());
      if (wait > 0) {
        this.timer = setTimeout(() => this.emitHeadThenPump(), wait);
        return;
      }
      this.next.write(this.queue.shift()!);
      if (this.closed) return;
    }
    if (this.queue.ended) this.closeOutput();
  }

  private emitHeadThenPump(): void {
    this.timer = undefined;
    const c = this.queue.shift();
    if (c) this.next.write(c);
    if (!this.closed) this.pump();
  }

  protected interrupt(): void {
    if (this.timer === undefined) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    // Toxiproxy sends the chunk it was sleeping on at once ("don't drop any data on the floor").
    const c = this.queue.shift();
    if (c) this.next.write(c);
  }

  protected resume(): void {
    this.pump();
  }

  protected flush(): void {
    while (this.queue.length > 0) this.next.write(this.queue.shift()!);
    if (this.queue.ended) this.closeOutput();
  }

  protected discardHeld(): void {
    this.link.dropped(this.queue.clear());
  }
}
