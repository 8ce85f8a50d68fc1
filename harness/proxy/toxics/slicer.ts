/**
 * `slicer`: cuts each chunk into slices of about `average_size` ± `size_variation` bytes, waiting
 * `delay` µs after each slice (as Toxiproxy's SlicerToxic, including its splitting scheme).
 */
import { ChunkQueue, Stage } from "../toxic.ts";

function randInt(n: number): number {
  return n > 0 ? Math.floor(Math.random() * n) : 0;
}

/** Offsets [s0, e0, s1, e1, ...] splitting [start, end) into fairly even random slices. */
export function sliceOffsets(
  start: number,
  end: number,
  average: number,
  variation: number,
  out: number[],
): void {
  // Toxiproxy would loop forever (or panic) on a non-positive size; one byte is the floor.
  const avg = Math.max(1, average);
  const v = Math.max(0, Math.min(variation, avg - 1));
  if (end - start - avg <= v) {
    out.push(start, end);
    return;
  }
  const mid = start + Math.floor((end - start) / 2) + (randInt(v * 2) - v);
  sliceOffsets(start, mid, average, variation, out);
  sliceOffsets(mid, end, average, variation, out);
}

export class SlicerStage extends Stage {
  private readonly queue = new ChunkQueue();
  private current: Buffer | undefined;
  private offsets: number[] = [];
  private at = 0; // index into offsets of the next slice's start
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
      if (this.current === undefined) {
        const next = this.queue.shift();
        if (next === undefined) {
          if (this.queue.ended) this.closeOutput();
          return;
        }
        this.current = next;
        this.offsets.length = 0;
        const a = this.toxic.attributes;
        sliceOffsets(0, next.length, a.average_size ?? 0, a.size_variation ?? 0, this.offsets);
        this.at = 0;
      }
      const c = this.current;
      this.next.write(c.subarray(this.offsets[this.at], this.offsets[this.at + 1]));
      this.at += 2;
      if (this.at >= this.offsets.length) this.current = undefined;
      const delayUs = this.toxic.attributes.delay ?? 0;
      if (delayUs > 0) {
        this.timer = setTimeout(() => {
          this.timer = undefined;
          this.pump();
        }, delayUs / 1000);
        return;
      }
    }
  }

  protected interrupt(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    // Toxiproxy sends the rest of the chunk being sliced at once.
    if (this.current !== undefined) {
      const rest = this.current.subarray(this.offsets[this.at]);
      this.current = undefined;
      if (rest.length > 0) this.next.write(rest);
    }
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
    if (this.current !== undefined) bytes += this.current.length - this.offsets[this.at];
    this.current = undefined;
    this.link.dropped(bytes);
  }
}
