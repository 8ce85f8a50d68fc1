/**
 * Whether a run's verdict is what its scenario expects. A negative control that finds nothing
 * (e.g. `run pg-failover --nemesis latency`) is not a success, and a CI job that tests the test
 * needs to be told so: every run prints this line, and `--expect-match` makes a mismatch exit 1.
 */
import type { Results } from "../../checkers/verdict.ts";

export interface ExpectedOutcome {
  name: string;
  /** true: a positive control (must pass); false: a negative control (must find anomalies). */
  expectedValid: boolean;
  /** Anomaly types a negative control must find (all of them). */
  expectedAnomalies?: string[];
}

export interface Expectation {
  expectedValid: boolean;
  expectedAnomalies: string[];
  /** The verdict is what the scenario expects. */
  matches: boolean;
  /** Expected anomaly types this run did not find. */
  missing: string[];
  /** One line for the terminal. */
  text: string;
}

export function compareWithExpected(
  scenario: ExpectedOutcome,
  r: Pick<Results, "valid" | "anomalyTypes">,
): Expectation {
  const expectedAnomalies = scenario.expectedAnomalies ?? [];
  const found = new Set(r.anomalyTypes);
  const missing = scenario.expectedValid ? [] : expectedAnomalies.filter((t) => !found.has(t));
  const control = scenario.expectedValid
    ? `${scenario.name} is a positive control (must pass)`
    : `${scenario.name} is a negative control (must find ${expectedAnomalies.length ? expectedAnomalies.join(", ") : "anomalies"})`;
  let matches: boolean;
  let text: string;
  if (r.valid === "unknown") {
    matches = false;
    text = `NOT AS EXPECTED: ${control}, but the verdict is unknown`;
  } else if (scenario.expectedValid) {
    matches = r.valid === true;
    text = matches ? `as expected: ${control}` : `NOT AS EXPECTED: ${control}, but anomalies were found`;
  } else if (r.valid === true) {
    matches = false;
    text = `NOT AS EXPECTED: ${control}, but this run found none (were the faults able to provoke them?)`;
  } else {
    matches = missing.length === 0;
    text = matches
      ? `as expected: ${control}, and found them`
      : `NOT AS EXPECTED: ${control}; this run did not find ${missing.join(", ")}`;
  }
  return { expectedValid: scenario.expectedValid, expectedAnomalies, matches, missing, text };
}
