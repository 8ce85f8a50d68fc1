/**
 * Bank, counter and long-fork anomalies in the report, from real checks of the fixtures taken
 * from Jepsen's and elle-cli's test suites: the read's balances against the total, the counter
 * read against its bounds, the two forked reads side by side. Values are escaped.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { checkBank } from "../../checkers/bank.ts";
import { checkCounter } from "../../checkers/counter.ts";
import type { History } from "../../checkers/history/op.ts";
import { parseHistory } from "../../checkers/history/parse.ts";
import { checkLongFork } from "../../checkers/long-fork.ts";
import { type CheckerResult, combineResults } from "../../checkers/verdict.ts";
import { renderReport } from "../../reports/html.ts";

const load = (path: string) =>
  parseHistory(readFileSync(`test/fixtures/${path}`, "utf8"), { fileName: path });

function report(name: string, history: History, result: CheckerResult): string {
  return renderReport({ test: { name: "jepsen" }, results: combineResults({ [name]: result }), history });
}

describe("Jepsen checkers' anomalies in the report", () => {
  it("bank: the read's balances, their sum against the total", () => {
    const h = load("bank/elle-cli-bank-tidb-excerpt.edn");
    const html = report("bank", h, checkBank(h));
    expect(html).toMatch(/<span class="badge">wrong-total<\/span>bank/);
    expect(html).toContain('<td class="failing">105 (total 100)</td>');
    expect(html).toMatch(/<th>account<\/th><th>0<\/th><th>1<\/th>/);
    expect(html).toMatch(/13 wrong totals/);
  });

  it("bank: a negative balance is marked", () => {
    const h = load("bank/elle-cli-bank-negative-balances.json");
    const html = report("bank", h, checkBank(h));
    expect(html).toContain('<td class="failing">-1</td>');
  });

  it("counter: the read against its bounds", () => {
    const h = load("counter/jepsen-rolling.edn");
    const html = report("counter", h, checkCounter(h));
    expect(html).toContain("Allowed: <b>1</b> (acknowledged increments before the read began) to <b>3</b>");
    expect(html).toContain('read: <b class="failing">5</b>');
  });

  it("long-fork: both reads on the keys they share, the forked keys marked", () => {
    const h = load("long-fork/jepsen-long-fork-test.edn");
    const html = report("long-fork", h, checkLongFork(h));
    const table = html.match(/<table class="jepsen-detail">[\s\S]*?<\/table>/)?.[0] ?? "";
    expect(table).toContain("<th>read at line 4</th><th>read at line 5</th>");
    expect(table).toContain('<tr class="failing"><td>1</td><td>1</td><td>nil</td></tr>');
    expect(table).toContain('<tr class="failing"><td>2</td><td>nil</td><td>1</td></tr>');
    expect(table).toContain("<tr><td>0</td><td>1</td><td>1</td></tr>");
    expect(html).toMatch(/1 long fork/);
  });

  it("escapes hostile account names and values", () => {
    const h = parseHistory(
      [
        { type: "invoke", process: 0, f: "read", value: null },
        { type: "ok", process: 0, f: "read", value: { "<script>alert(1)</script>": 5 } },
      ]
        .map((o) => JSON.stringify(o))
        .join("\n"),
    );
    const html = report("bank", h, checkBank(h, { total: 10 }));
    expect(html).not.toContain("<script>alert(1)</script>");
    expect(html).toContain("<th>&lt;script&gt;alert(1)&lt;/script&gt;</th>");
  });
});
