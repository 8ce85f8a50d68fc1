import { describe, expect, it } from "vitest";
import {
  anomaliesProhibitedBy,
  boundary,
  CHECKABLE_MODELS,
  canonicalModel,
  checkableModel,
  graphNeeds,
  impliedModels,
} from "../../checkers/elle/consistency-models.ts";

describe("elle consistency-model lattice", () => {
  it("accepts Adya's names as aliases", () => {
    expect(canonicalModel("PL-3")).toBe("serializable");
    expect(canonicalModel("PL-SS")).toBe("strict-serializable");
    expect(canonicalModel("PL-2")).toBe("read-committed");
    expect(() => canonicalModel("acid")).toThrow(/unknown consistency model 'acid'/);
  });

  it("refuses single-object models that no transactional anomaly refutes", () => {
    expect(() => checkableModel("linearizable")).toThrow(/not one Elle can check/);
    expect(checkableModel("PL-3")).toBe("serializable");
    expect(CHECKABLE_MODELS).toContain("strong-session-serializable");
    expect(CHECKABLE_MODELS).not.toContain("PRAM");
  });

  it("orders the models: strict-serializable implies serializable implies repeatable-read ...", () => {
    const s = impliedModels("strict-serializable");
    for (const m of [
      "serializable",
      "snapshot-isolation",
      "repeatable-read",
      "read-committed",
      "read-uncommitted",
    ]) {
      expect(s.has(m)).toBe(true);
    }
    expect(impliedModels("snapshot-isolation").has("serializable")).toBe(false);
    expect(impliedModels("strong-session-serializable").has("strong-session-snapshot-isolation")).toBe(true);
  });

  it("knows what each level forbids", () => {
    const rc = anomaliesProhibitedBy("read-committed");
    expect([...rc].sort()).toEqual(
      expect.arrayContaining([
        "G0",
        "G1a",
        "G1b",
        "G1c",
        "dirty-update",
        "incompatible-order",
        "future-read",
      ]),
    );
    expect(rc.has("G-single")).toBe(false);
    expect(rc.has("G1c-realtime")).toBe(false);
    const si = anomaliesProhibitedBy("snapshot-isolation");
    expect(si.has("G-single")).toBe(true);
    expect(si.has("G2-item")).toBe(false); // write skew is allowed under SI
    expect(si.has("lost-update")).toBe(true);
    expect(anomaliesProhibitedBy("serializable").has("G2-item")).toBe(true);
    expect(anomaliesProhibitedBy("serializable").has("G-single-realtime")).toBe(false);
    expect(anomaliesProhibitedBy("strict-serializable").has("G-single-realtime")).toBe(true);
  });

  it("names the weakest models an anomaly rules out, and the stronger ones", () => {
    expect(boundary(["G2-item"])).toEqual({
      not: ["repeatable-read"],
      alsoNot: ["serializable", "strict-serializable", "strong-session-serializable"],
    });
    expect(boundary(["G2-item-realtime"])).toEqual({ not: ["strict-serializable"], alsoNot: [] });
    expect(boundary(["G1c"]).not).toEqual(["read-committed"]);
    expect(boundary(["G0"]).not).toEqual(["read-uncommitted"]);
    expect(boundary([])).toEqual({ not: [], alsoNot: [] });
  });

  it("adds process and real-time edges only when the model needs them", () => {
    expect(graphNeeds("serializable")).toEqual({ process: false, realtime: false });
    expect(graphNeeds("strong-session-snapshot-isolation")).toEqual({ process: true, realtime: false });
    expect(graphNeeds("strict-serializable")).toEqual({ process: true, realtime: true });
  });
});
