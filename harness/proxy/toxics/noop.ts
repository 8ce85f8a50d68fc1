/** `noop`: passes everything through (Toxiproxy registers it as a toxic type too). */
import { Stage } from "../toxic.ts";

export class NoopStage extends Stage {
  protected onData(chunk: Buffer): void {
    this.next.write(chunk);
  }
  protected onEnd(): void {
    this.closeOutput();
  }
  protected interrupt(): void {}
  protected resume(): void {}
  protected flush(): void {}
  protected discardHeld(): void {}
}
