/**
 * The toxics of one proxy, per direction in the order they were added, and the links they apply
 * to (Toxiproxy's ToxicCollection). Every change is applied to the open links at once.
 */
import {
  ApiError,
  ErrBadRequestBody,
  ErrInvalidStream,
  ErrInvalidToxicType,
  ErrToxicAlreadyExists,
  ErrToxicNotFound,
} from "./api-error.ts";
import { decodeStruct, GoJsonError, parseFirstValue } from "./go-json.ts";
import type { Link } from "./link.ts";
import type { StreamDirection, Toxic } from "./toxic.ts";
import { toxicType, zeroAttributes } from "./toxics/registry.ts";

function parseDirection(stream: string): StreamDirection | undefined {
  const s = stream.toLowerCase();
  return s === "upstream" || s === "downstream" ? s : undefined;
}

function badBody(e: unknown): ApiError {
  if (e instanceof GoJsonError) return ApiError.join(ErrBadRequestBody, e);
  throw e;
}

export class ToxicCollection {
  private readonly chains: Record<StreamDirection, Toxic[]> = { upstream: [], downstream: [] };
  readonly links = new Set<Link>();

  list(): Toxic[] {
    return [...this.chains.upstream, ...this.chains.downstream];
  }

  /** Toxiproxy lists downstream toxics after upstream ones (chain index order). */
  find(name: string): Toxic | undefined {
    return this.list().find((t) => t.name === name);
  }

  chain(direction: StreamDirection): readonly Toxic[] {
    return this.chains[direction];
  }

  /** POST /proxies/{proxy}/toxics, with Toxiproxy's checks in its order. */
  addJson(body: string): Toxic {
    let raw: unknown;
    let wrapper: { name: string; type: string; stream: string; toxicity: number };
    try {
      raw = parseFirstValue(body);
      wrapper = decodeStruct(
        raw,
        { name: "string", type: "string", stream: "string", toxicity: "float32" },
        { name: "", type: "", stream: "downstream", toxicity: 1 },
        // Go (1.20+) names a struct by its bare type name: `ToxicWrapper.toxicity`.
        "ToxicWrapper",
      );
    } catch (e) {
      throw badBody(e);
    }
    const direction = parseDirection(wrapper.stream);
    if (!direction) throw ErrInvalidStream;
    const name = wrapper.name === "" ? `${wrapper.type}_${wrapper.stream}` : wrapper.name;
    const type = toxicType(wrapper.type);
    if (!type) throw ErrInvalidToxicType;
    if (this.find(name)) throw ErrToxicAlreadyExists;
    let attributes: Record<string, number>;
    try {
      const attrsRaw = (raw as Record<string, unknown>).attributes;
      attributes = decodeStruct(
        attrsRaw ?? null,
        type.attributes,
        zeroAttributes(type),
        type.goName,
        "attributes.",
      );
    } catch (e) {
      throw badBody(e);
    }
    const toxic: Toxic = {
      name,
      type: wrapper.type,
      stream: wrapper.stream,
      direction,
      toxicity: wrapper.toxicity,
      attributes,
    };
    this.chains[direction].push(toxic);
    for (const link of this.links) if (link.direction === direction) link.addToxic(toxic);
    return toxic;
  }

  /** POST/PATCH /proxies/{proxy}/toxics/{toxic}: only `attributes` and `toxicity` change. */
  updateJson(name: string, body: string): Toxic {
    const toxic = this.find(name);
    if (!toxic) throw ErrToxicNotFound;
    const type = toxicType(toxic.type)!;
    let toxicity: number;
    let attributes: Record<string, number>;
    try {
      const raw = parseFirstValue(body);
      // Toxiproxy decodes into an anonymous struct, so Go's errors read `Go struct field .toxicity`.
      ({ toxicity } = decodeStruct(raw, { toxicity: "float32" }, { toxicity: toxic.toxicity }, ""));
      const attrsRaw =
        raw !== null && typeof raw === "object" ? (raw as Record<string, unknown>).attributes : null;
      attributes = decodeStruct(
        attrsRaw ?? null,
        type.attributes,
        { ...toxic.attributes },
        type.goName,
        "attributes.",
      );
    } catch (e) {
      throw badBody(e);
    }
    toxic.attributes = attributes;
    toxic.toxicity = toxicity;
    for (const link of this.links) if (link.direction === toxic.direction) link.updateToxic(toxic);
    return toxic;
  }

  remove(name: string): void {
    const toxic = this.find(name);
    if (!toxic) throw ErrToxicNotFound;
    this.removeToxic(toxic);
  }

  private removeToxic(toxic: Toxic): void {
    const chain = this.chains[toxic.direction];
    chain.splice(chain.indexOf(toxic), 1);
    for (const link of [...this.links]) if (link.direction === toxic.direction) link.removeToxic(toxic);
  }

  /** Removes every toxic, as POST /reset does. */
  reset(): void {
    for (const t of this.list()) this.removeToxic(t);
  }
}
