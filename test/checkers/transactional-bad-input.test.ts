/**
 * Bad input to the bank, counter, long-fork and Elle checkers, through `faultline check`: each is
 * refused with exit 3 and a message naming the file and, where there is one, the line.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "../..");
const bin = join(root, "bin/faultline.mjs");
const tmp = mkdtempSync(join(tmpdir(), "faultline-txn-bad-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function check(file: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [bin, "check", file, ...args], { encoding: "utf8", timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function write(name: string, ...ops: object[]): string {
  const file = join(tmp, name);
  writeFileSync(file, ops.map((o) => JSON.stringify(o)).join("\n") + "\n");
  return file;
}

describe("bad input to the transactional checkers", () => {
  it("an unknown checker: exit 3, naming the known ones (bank, counter, long-fork among them)", () => {
    const r = check(join(root, "test/fixtures/bank/elle-cli-bank-neg.edn"), "--checker", "bnak");
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/'bnak' is invalid/);
    expect(r.stderr).toMatch(/bank, counter, long-fork/);
  });

  it("a bank history with no total and no read to infer it from: exit 3, naming the file", () => {
    const file = write(
      "bank-no-total.jsonl",
      { type: "invoke", process: 0, f: "transfer", value: { from: 0, to: 1, amount: 5 } },
      { type: "ok", process: 0, f: "transfer", value: { from: 0, to: 1, amount: 5 } },
    );
    const r = check(file, "--checker", "bank");
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`${file}: bank checker: no total to check reads against: pass --total N`);
    // With the total given, the same history is checkable (no reads: nothing wrong).
    expect(check(file, "--checker", "bank", "--total", "100").code).toBe(0);
  });

  it("a bank read that is not a map of balances names its line", () => {
    const file = write(
      "bank-bad-read.jsonl",
      { type: "invoke", process: 0, f: "read", value: null },
      { type: "ok", process: 0, f: "read", value: [100, 0] },
    );
    const r = check(file, "--checker", "bank", "--total", "100");
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`${file}:2: bank checker: an ok "read" needs a map of account -> balance`);
  });

  it("a transaction with a malformed micro-op names its line (Elle and long-fork)", () => {
    const elle = check(
      join(root, "test/fixtures/elle-list-append-bad-mop.jsonl"),
      "--checker",
      "elle-list-append",
    );
    expect(elle.code).toBe(3);
    expect(elle.stderr).toMatch(/elle-list-append-bad-mop\.jsonl:4: micro-op 2 has unknown function "incr"/);
    const file = write(
      "long-fork-bad-mop.jsonl",
      { type: "invoke", process: 0, f: "txn", value: [["w", 1, 1]] },
      { type: "ok", process: 0, f: "txn", value: [["w", 1, 1]] },
      {
        type: "invoke",
        process: 1,
        f: "txn",
        value: [
          ["r", 1, null],
          ["r", 2],
        ],
      },
    );
    const lf = check(file, "--checker", "long-fork");
    expect(lf.code).toBe(3);
    expect(lf.stderr).toContain(`${file}:3: long-fork checker: micro-op 2 of the transaction is [\"r\",2]`);
  });

  it("a counter add without a number names its line", () => {
    const file = write(
      "counter-bad-add.jsonl",
      { type: "invoke", process: 0, f: "add", value: "1" },
      { type: "ok", process: 0, f: "add", value: "1" },
    );
    const r = check(file, "--checker", "counter");
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`${file}:1: counter checker: "add" needs a number as its value`);
  });
});
