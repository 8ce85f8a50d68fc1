/**
 * The toxic types this server knows, with their attributes (names, Go types and defaults, for
 * decoding and for the JSON shape) and the stage that applies each to a link.
 */
import type { GoStruct } from "../go-json.ts";
import type { LinkControl, Sink, Stage, Toxic } from "../toxic.ts";
import { BandwidthStage } from "./bandwidth.ts";
import { LatencyStage } from "./latency.ts";
import { LimitDataStage } from "./limit-data.ts";
import { NoopStage } from "./noop.ts";
import { ResetPeerStage } from "./reset-peer.ts";
import { SlicerStage } from "./slicer.ts";
import { SlowCloseStage } from "./slow-close.ts";
import { TimeoutStage } from "./timeout.ts";

export interface ToxicType {
  /** The Go struct's name, used in decode error messages. */
  goName: string;
  /** Attributes in the order Toxiproxy serialises them; all default to 0. */
  attributes: GoStruct;
  stage: new (toxic: Toxic, link: LinkControl, next: Sink) => Stage;
}

export const TOXIC_TYPES: Readonly<Record<string, ToxicType>> = {
  noop: { goName: "NoopToxic", attributes: {}, stage: NoopStage },
  latency: { goName: "LatencyToxic", attributes: { latency: "int64", jitter: "int64" }, stage: LatencyStage },
  bandwidth: { goName: "BandwidthToxic", attributes: { rate: "int64" }, stage: BandwidthStage },
  slow_close: { goName: "SlowCloseToxic", attributes: { delay: "int64" }, stage: SlowCloseStage },
  timeout: { goName: "TimeoutToxic", attributes: { timeout: "int64" }, stage: TimeoutStage },
  reset_peer: { goName: "ResetToxic", attributes: { timeout: "int64" }, stage: ResetPeerStage },
  slicer: {
    goName: "SlicerToxic",
    attributes: { average_size: "int", size_variation: "int", delay: "int" },
    stage: SlicerStage,
  },
  limit_data: { goName: "LimitDataToxic", attributes: { bytes: "int64" }, stage: LimitDataStage },
};

export function toxicType(name: string): ToxicType | undefined {
  return Object.hasOwn(TOXIC_TYPES, name) ? TOXIC_TYPES[name] : undefined;
}

/** All attributes of a type at their zero value, in serialisation order. */
export function zeroAttributes(type: ToxicType): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of Object.keys(type.attributes)) out[k] = 0;
  return out;
}
