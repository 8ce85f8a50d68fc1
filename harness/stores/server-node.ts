/**
 * A store server the harness started, whatever runs it: a supervised process on the local backend
 * (supervised-node.ts) or a container on the docker backend (container-node.ts). Redis and etcd
 * deployments (quiesce, probes, final state) only need its name, where the harness reaches it and
 * where its log goes, so they are written once against this and run on either backend.
 */
import type { DeployedNode } from "./store-driver.ts";

export interface ServerNode extends DeployedNode {
  readonly name: string;
  /** Where its output goes (the run folder's logs/<node>.log), for errors that point at it. */
  readonly logFile: string;
  /** Starts it (the first time) or starts it again after a kill, and waits until it answers. */
  start(): Promise<void>;
  /** Stops it for good at the end of a run. */
  stop(): Promise<void>;
}
