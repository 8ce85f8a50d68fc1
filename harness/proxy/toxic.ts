/**
 * A toxic as the API sees it (Toxiproxy's `ToxicWrapper`), and the per-connection stage that applies
 * it to one direction of one connection (Toxiproxy's `ToxicStub` running the toxic's `Pipe`).
 *
 * Stages form a chain per link: source socket -> stage 1 -> stage 2 -> ... -> destination socket,
 * in the order toxics were added. Adding, updating or removing a toxic changes the chains of every
 * open connection at once, as in Toxiproxy.
 */
import { formatFloat32 } from "./go-json.ts";

export type StreamDirection = "upstream" | "downstream";

export type ToxicAttributes = Record<string, number>;

/** A toxic registered on a proxy; shared by every connection of the proxy. */
export interface Toxic {
  name: string;
  type: string;
  /** As the client sent it (Toxiproxy matches it case-insensitively and echoes it back as is). */
  stream: string;
  direction: StreamDirection;
  toxicity: number;
  attributes: ToxicAttributes;
}

/** The JSON Toxiproxy returns for a toxic (same field order as its Go struct). */
export function toxicJson(t: Toxic): Record<string, unknown> {
  return {
    attributes: t.attributes,
    name: t.name,
    type: t.type,
    stream: t.stream,
    toxicity: formatFloat32(t.toxicity),
  };
}

/** Where a stage sends its output: the next stage, or the link's destination socket. */
export interface Sink {
  write(chunk: Buffer): void;
  end(): void;
}

/** What a stage may ask of the link it sits in. */
export interface LinkControl {
  /** The stage discarded bytes that entered the chain (for backpressure accounting). */
  dropped(bytes: number): void;
  /** Reset the whole connection: RST to the client and to the upstream. */
  reset(): void;
  /** Whether a reset_peer was present when the link started (only then does it reset with RST). */
  readonly lingerZero: boolean;
}

/**
 * One toxic applied to one link. Subclasses implement the toxic; this base class implements
 * toxicity (a stage whose roll failed behaves as a noop, as Toxiproxy's stub does) and the
 * interrupt protocol used when the toxic is updated or removed.
 */
export abstract class Stage implements Sink {
  /** True once this stage has ended its output (Toxiproxy's `stub.Close()`). */
  closed = false;
  /** Whether the toxicity roll chose the toxic (true) or a noop (false) for the current run. */
  protected active: boolean;

  constructor(
    readonly toxic: Toxic,
    protected readonly link: LinkControl,
    public next: Sink,
  ) {
    this.active = Math.random() < toxic.toxicity;
  }

  write(chunk: Buffer): void {
    if (this.closed) {
      this.link.dropped(chunk.length);
      return;
    }
    if (!this.active) {
      this.next.write(chunk);
      return;
    }
    this.onData(chunk);
  }

  end(): void {
    if (this.closed) return;
    if (!this.active) {
      this.closeOutput();
      return;
    }
    this.onEnd();
  }

  /** The toxic's attributes or toxicity changed: interrupt, re-roll, run again (Toxiproxy's UpdateToxic). */
  update(): void {
    if (this.closed) return;
    this.interrupt();
    this.active = Math.random() < this.toxic.toxicity;
    if (this.active) this.resume();
    else this.flush();
  }

  /** The toxic was removed: pass on everything held, in order, then leave the chain. */
  remove(): void {
    if (this.closed) return;
    this.interrupt();
    this.flush();
  }

  /** The connection is gone: stop timers, hold nothing. */
  dispose(): void {
    this.interrupt();
    this.closed = true;
  }

  /** Ends this stage's output; what it still holds is discarded (Toxiproxy's `stub.Close()`). */
  protected closeOutput(): void {
    if (this.closed) return;
    this.interrupt();
    this.discardHeld();
    this.closed = true;
    this.next.end();
  }

  protected drop(chunk: Buffer): void {
    this.link.dropped(chunk.length);
  }

  protected abstract onData(chunk: Buffer): void;
  protected abstract onEnd(): void;
  /** Stop any timer; emit what Toxiproxy's Pipe emits when interrupted mid-flight. */
  protected abstract interrupt(): void;
  /** Continue processing what is held, with the current attributes. */
  protected abstract resume(): void;
  /** Emit everything held immediately, and the end of stream if it was reached. */
  protected abstract flush(): void;
  /** Forget everything held (reporting the bytes as dropped). */
  protected abstract discardHeld(): void;
}

/** A FIFO of chunks with an optional end-of-stream marker, shared by the queueing stages. */
export class ChunkQueue {
  private readonly items: Buffer[] = [];
  private readonly arrivals: number[] = [];
  private head = 0;
  ended = false;

  push(chunk: Buffer, at: number): void {
    this.items.push(chunk);
    this.arrivals.push(at);
  }

  get length(): number {
    return this.items.length - this.head;
  }

  peek(): Buffer | undefined {
    return this.items[this.head];
  }

  peekArrival(): number {
    return this.arrivals[this.head];
  }

  shift(): Buffer | undefined {
    if (this.head >= this.items.length) return undefined;
    const c = this.items[this.head];
    this.head++;
    // Compact now and then so the arrays do not grow without bound.
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items.splice(0, this.head);
      this.arrivals.splice(0, this.head);
      this.head = 0;
    }
    return c;
  }

  /** Removes everything; returns the number of bytes removed. */
  clear(): number {
    let bytes = 0;
    for (let i = this.head; i < this.items.length; i++) bytes += this.items[i].length;
    this.items.length = 0;
    this.arrivals.length = 0;
    this.head = 0;
    return bytes;
  }
}
