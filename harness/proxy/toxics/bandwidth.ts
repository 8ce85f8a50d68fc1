/**
 * `bandwidth`: limits throughput to `rate` KB/s (1 KB = 1000 bytes, as Toxiproxy: a chunk of n
 * bytes costs n/rate ms). Chunks larger than 100 ms worth are sent in 100 ms slices. `rate` <= 0
 * means no limit. Sleep debt carries over between chunks, correcting for timer imprecision.
 */
import { ChunkQueue, Stage } from "../toxic.ts";

export class BandwidthStage extends Stage {
  private readonly queue = new ChunkQueue();
  private current: Buffer | undefined;
  private sleepMs = 0;
  private timer: NodeJS.Timeout | undefined;

  protected onData(chunk: Buffer): void {
    this.queue.push(chunk, 0);
    if (this.timer === undefined && this.current === undefined) this.pump();
  }

  protected onEnd(): void {
    this.queue.ended = true;
    if (this.timer === undefined && this.current === undefined && this.queue.length === 0) this.closeOutput();
  }

  private pump(): void {
    for (;;) {
      if (this.closed) return;
      const rate = this.toxic.attributes.rate ?? 0;
      if (this.current === undefined) {
        const next = this.queue.shift();
        if (next === undefined) {
          if (this.queue.ended) this.closeOutput();
          return;
        }
        if (rate <= 0) {
          this.sleepMs = 0;
          this.next.write(next);
          continue;
        }
        this.current = next;
        this.sleepMs += next.length / rate;
      }
      const slice = rate * 100;
      if (this.current.length > slice) {
        this.timer = setTimeout(() => {
          this.timer = undefined;
          const c = this.current!;
          this.current = c.subarray(slice);
          this.sleepMs -= 100;
          this.next.write(c.subarray(0, slice));
          this.pump();
        }, 100);
        return;
      }
      if (this.sleepMs <= 0) {
        const c = this.current;
        this.current = undefined;
        this.next.write(c);
        continue;
      }
      const start = performance.now();
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.sleepMs -= performance.now() - start;
        const c = this.current!;
        this.current = undefined;
        this.next.write(c);
        this.pump();
      }, this.sleepMs);
      return;
    }
  }

  protected interrupt(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    // Toxiproxy sends the chunk in flight at once; the sleep debt is local to its Pipe call.
    const c = this.current;
    this.current = undefined;
    this.sleepMs = 0;
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
    let bytes = this.queue.clear();
    if (this.current) bytes += this.current.length;
    this.current = undefined;
    this.link.dropped(bytes);
  }
}
