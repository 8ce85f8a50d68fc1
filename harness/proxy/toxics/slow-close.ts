/** `slow_close`: passes data through, but delays the close by `delay` ms once the source has ended. */
import { Stage } from "../toxic.ts";

export class SlowCloseStage extends Stage {
  private endPending = false;
  private timer: NodeJS.Timeout | undefined;

  protected onData(chunk: Buffer): void {
    this.next.write(chunk);
  }

  protected onEnd(): void {
    this.endPending = true;
    this.armTimer();
  }

  private armTimer(): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.closeOutput();
    }, this.toxic.attributes.delay ?? 0);
  }

  protected interrupt(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** An update restarts the delay, as Toxiproxy re-reads the closed input and sleeps again. */
  protected resume(): void {
    if (this.endPending) this.armTimer();
  }

  protected flush(): void {
    if (this.endPending) this.closeOutput();
  }

  protected discardHeld(): void {}
}
