/**
 * `limit_data`: lets `bytes` bytes through on this link, then closes it. The count survives
 * updates of the toxic (Toxiproxy keeps it as per-connection state).
 */
import { Stage } from "../toxic.ts";

export class LimitDataStage extends Stage {
  private transmitted = 0;

  protected onData(chunk: Buffer): void {
    const limit = this.toxic.attributes.bytes ?? 0;
    const remaining = Math.max(0, limit - this.transmitted);
    let out = chunk;
    if (remaining < chunk.length) {
      out = chunk.subarray(0, remaining);
      this.link.dropped(chunk.length - remaining);
    }
    if (out.length > 0) {
      this.transmitted += out.length;
      this.next.write(out);
    }
    if (limit - this.transmitted <= 0) this.closeOutput();
  }

  protected onEnd(): void {
    this.closeOutput();
  }

  protected interrupt(): void {}
  protected resume(): void {}
  protected flush(): void {}
  protected discardHeld(): void {}
}
