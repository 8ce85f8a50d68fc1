/**
 * `reset_peer`: on the first data (or end of stream) after the toxic starts, drops it, waits
 * `timeout` ms, then resets the connection: both the client and the upstream get a TCP RST
 * ("connection reset by peer"). That needs SO_LINGER 0, which Toxiproxy sets only on links that
 * start with a reset_peer toxic present; added to an open connection, it closes with a FIN.
 * Once triggered, the reset happens even if the toxic is removed
 * meanwhile (Toxiproxy's Pipe cannot be interrupted during that sleep).
 */
import { Stage } from "../toxic.ts";

export class ResetPeerStage extends Stage {
  private triggered = false;

  private trigger(): void {
    if (this.triggered) return;
    this.triggered = true;
    setTimeout(
      () => {
        if (this.link.lingerZero) this.link.reset();
        else this.closeOutput();
      },
      Math.max(0, this.toxic.attributes.timeout ?? 0),
    );
  }

  protected onData(chunk: Buffer): void {
    this.drop(chunk);
    this.trigger();
  }

  protected onEnd(): void {
    this.trigger();
  }

  protected interrupt(): void {}
  protected resume(): void {}
  protected flush(): void {}
  protected discardHeld(): void {}
}
