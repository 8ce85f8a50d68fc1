import { XMLParser, XMLValidator } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import type { Results } from "../../checkers/verdict.ts";
import { renderJUnit } from "../../reports/junit.ts";
import { ELLE, makeHostile, REGISTER, readRunFolder, XSS_ATTR, XSS_SCRIPT } from "./fixtures.ts";

interface Case {
  "@_name": string;
  failure?: { "@_type": string; "@_message": string; "#text"?: string };
  error?: { "@_type": string; "@_message": string };
}

function parse(xml: string): { suite: Record<string, unknown>; cases: Case[] } {
  const valid = XMLValidator.validate(xml);
  expect(valid, JSON.stringify(valid)).toBe(true);
  const doc = new XMLParser({ ignoreAttributes: false, isArray: (name) => name === "testcase" }).parse(xml);
  const suite = doc.testsuites.testsuite;
  return { suite, cases: suite.testcase };
}

describe("renderJUnit", () => {
  it("has one testcase per checker; failures carry anomaly types and explanations", async () => {
    const run = await readRunFolder(REGISTER);
    const { suite, cases } = parse(renderJUnit(run.results, run.test, run.history));
    expect(suite["@_name"]).toBe("faultline.pg-async-replica");
    expect(suite["@_failures"]).toBe("2");
    expect(cases.map((c) => c["@_name"])).toEqual(["linearizable", "stale-reads", "lost-writes"]);
    const lin = cases[0].failure!;
    expect(lin["@_type"]).toBe("nonlinearizable");
    expect(lin["#text"]).toMatch(/^nonlinearizable \[key 0\]: read 10 by process 5 cannot be linearized/);
    expect(cases[1].failure!["@_message"]).toMatch(/^stale-read: \d+ anomalies$/);
    expect(cases[2].failure).toBeUndefined();
    expect(String(suite["system-out"])).toMatch(/^Not linearizable: /);
  });

  it("reports an undecided checker as an error, not a pass", () => {
    const results: Results = {
      valid: "unknown",
      anomalyTypes: [],
      checkers: {
        linearizable: {
          valid: "unknown",
          anomalyTypes: [],
          anomalies: [],
          reason: "time limit of 60 s reached",
        },
      },
      signals: {},
    };
    const { suite, cases } = parse(renderJUnit(results, { name: "x" }));
    expect(suite["@_errors"]).toBe("1");
    expect(cases[0].error!["@_message"]).toBe("time limit of 60 s reached");
  });

  it("stays well-formed with hostile values and characters XML cannot carry", async () => {
    const run = makeHostile(await readRunFolder(ELLE));
    const c = Object.values(run.results.checkers)[0];
    c.anomalies[0].explanation += " \u0000\u0007\uFFFF \uD800 ]]> & done";
    const xml = renderJUnit(run.results, run.test, run.history);
    expect(xml).not.toContain(XSS_SCRIPT);
    expect(xml).not.toContain(XSS_ATTR);
    const { cases } = parse(xml);
    // Parsed back, the hostile text is data again, and the forbidden characters became U+FFFD.
    expect(cases[0].failure!["#text"]).toContain(XSS_SCRIPT);
    expect(cases[0].failure!["#text"]).toContain("\uFFFD\uFFFD\uFFFD \uFFFD ]]> & done");
  });
});
