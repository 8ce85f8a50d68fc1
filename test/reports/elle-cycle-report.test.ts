/**
 * A transactional anomaly shown as Elle shows it, from a real check of a planted history: the
 * cycle drawn, each edge in words with its kind (wr, ww, rw, realtime, process), each
 * transaction's micro-ops, and the consistency models the anomaly (and the history) rules out.
 */
import { describe, expect, it } from "vitest";
import { elleListAppendChecker } from "../../checkers/elle/index.ts";
import { parseHistory } from "../../checkers/history/parse.ts";
import { combineResults } from "../../checkers/verdict.ts";
import { renderReport } from "../../reports/html.ts";

async function reportFor(jsonl: string, consistencyModel: string): Promise<string> {
  const history = parseHistory(jsonl, { fileName: "history.jsonl" });
  const result = await elleListAppendChecker.check(history, { consistencyModel });
  expect(result.valid).toBe(false);
  return renderReport({
    test: { name: "elle-report" },
    results: combineResults({ "elle-list-append": result }),
    history,
  });
}

const lines = (...ops: object[]) => ops.map((o) => JSON.stringify(o)).join("\n");

describe("Elle cycle in the report", () => {
  it("write skew (G2-item): two rw edges in words, micro-ops, and the models it rules out", async () => {
    const html = await reportFor(
      lines(
        {
          type: "invoke",
          process: 0,
          f: "txn",
          value: [
            ["r", "x", null],
            ["append", "y", 1],
          ],
        },
        {
          type: "invoke",
          process: 1,
          f: "txn",
          value: [
            ["r", "y", null],
            ["append", "x", 1],
          ],
        },
        {
          type: "ok",
          process: 0,
          f: "txn",
          value: [
            ["r", "x", []],
            ["append", "y", 1],
          ],
        },
        {
          type: "ok",
          process: 1,
          f: "txn",
          value: [
            ["r", "y", []],
            ["append", "x", 1],
          ],
        },
        {
          type: "invoke",
          process: 0,
          f: "txn",
          value: [
            ["r", "x", null],
            ["r", "y", null],
          ],
        },
        {
          type: "ok",
          process: 0,
          f: "txn",
          value: [
            ["r", "x", [1]],
            ["r", "y", [1]],
          ],
        },
      ),
      "serializable",
    );
    const svg = html.match(/<svg class="cycle"[\s\S]*?<\/svg>/)?.[0] ?? "";
    expect(svg.match(/<circle /g)).toHaveLength(2);
    expect(svg.match(/>rw<\/text>/g)).toHaveLength(2);
    // Each transaction's micro-ops, as completed.
    expect(html).toContain("T1 (p0): r x []; append y 1");
    expect(html).toContain("T2 (p1): r y []; append x 1");
    // Each edge in words, with its kind.
    expect(html).toContain(
      '<span class="kind kind-rw">rw</span> T1 &lt; T2 because T1 read x = [], which did not include T2&#39;s append of 1',
    );
    expect(html).toContain("T2 &lt; T1 because T2 read y = [], which did not include T1&#39;s append of 1");
    // Elle's argument and the models ruled out: by the anomaly, and by the history.
    expect(html).toMatch(/<pre class="cycle-argument">Let:\n {2}T1 = r x \[\]; append y 1\n/);
    expect(html).toContain("a contradiction!");
    expect(html).toContain(
      '<p class="rules-out">Rules out <code>repeatable-read</code>, and so the stronger <code>serializable</code>',
    );
    expect(html).toContain('<p class="rules-out">This history is not <code>repeatable-read</code>');
  });

  it("a stale read (G-single-realtime): the realtime edge says which completed before which began", async () => {
    const html = await reportFor(
      lines(
        { type: "invoke", process: 0, f: "txn", value: [["append", "x", 1]] },
        { type: "ok", process: 0, f: "txn", value: [["append", "x", 1]] },
        { type: "invoke", process: 1, f: "txn", value: [["r", "x", null]] },
        { type: "ok", process: 1, f: "txn", value: [["r", "x", []]] },
      ),
      "strict-serializable",
    );
    const svg = html.match(/<svg class="cycle"[\s\S]*?<\/svg>/)?.[0] ?? "";
    expect(svg).toContain(">rw</text>");
    expect(svg).toContain(">realtime</text>");
    expect(html).toMatch(
      /<span class="kind kind-realtime">realtime<\/span> T\d &lt; T\d because T\d completed \(line 2\) before T\d was invoked \(line 3\)/,
    );
    // As Elle: G-single-realtime is what strong snapshot isolation forbids.
    expect(html).toContain(
      "Rules out <code>strong-snapshot-isolation</code>, and so the stronger <code>strict-serializable</code>",
    );
  });
});
