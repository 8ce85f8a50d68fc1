/**
 * `timeout`: lets no data through (it is read and dropped) and closes the link after `timeout` ms;
 * with `timeout` 0 it holds the connection open until the toxic is removed. Because data was
 * dropped, removing the toxic closes the connections it held (Toxiproxy's Cleanup), whatever its
 * toxicity roll was.
 */
import { Stage } from "../toxic.ts";

export class TimeoutStage extends Stage {
  private timer: NodeJS.Timeout | undefined;

  constructor(...args: ConstructorParameters<typeof Stage>) {
    super(...args);
    if (this.active) this.resume();
  }

  protected onData(chunk: Buffer): void {
    this.drop(chunk);
  }

  protected onEnd(): void {
    this.closeOutput();
  }

  protected interrupt(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  protected resume(): void {
    const ms = this.toxic.attributes.timeout ?? 0;
    if (ms > 0) this.timer = setTimeout(() => this.closeOutput(), ms);
  }

  override remove(): void {
    this.closeOutput();
  }

  protected flush(): void {}

  protected discardHeld(): void {}
}
