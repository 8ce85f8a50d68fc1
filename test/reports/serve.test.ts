import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listRuns, type StoreServer, serveStore } from "../../reports/serve.ts";

/** A raw GET: the path goes on the wire exactly as given (fetch would normalise `..`). */
function get(
  port: number,
  path: string,
  host = "127.0.0.1",
): Promise<{ status: number; body: string; type?: string }> {
  return new Promise((ok, fail) => {
    const req = request(
      { host: "127.0.0.1", port, path, method: "GET", headers: { host: `${host}:${port}` } },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c) => {
          body += c;
        });
        res.on("end", () => ok({ status: res.statusCode ?? 0, body, type: res.headers["content-type"] }));
      },
    );
    req.on("error", fail);
    req.end();
  });
}

describe("serveStore", () => {
  let tmp: string;
  let store: string;
  let server: StoreServer;

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), "faultline-serve-"));
    store = join(tmp, "store");
    const runs: [string, string, unknown][] = [
      [
        "pg-async-replica",
        "20261120T100000.000Z",
        { valid: false, anomalyTypes: ["nonlinearizable"], checkers: {} },
      ],
      ["pg-async-replica", "20261122T100000.000Z", { valid: true, anomalyTypes: [], checkers: {} }],
      ["etcd-3-region", "20261121T100000.000Z", { valid: "unknown", anomalyTypes: [], checkers: {} }],
      ["<script>alert(1)<", "20261119T100000.000Z", { valid: true, anomalyTypes: [], checkers: {} }],
    ];
    for (const [test, ts, results] of runs) {
      const dir = join(store, test, ts);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, "test.json"), "{}");
      writeFileSync(join(dir, "results.json"), JSON.stringify(results));
      writeFileSync(join(dir, "report.html"), "<!doctype html><title>r</title>");
      writeFileSync(join(dir, "history.jsonl"), '{"value":"<script>alert(1)</script>"}\n');
    }
    symlinkSync("pg-async-replica/20261122T100000.000Z", join(store, "latest"));
    writeFileSync(join(tmp, "secret.txt"), "outside the store");
    symlinkSync(
      join(tmp, "secret.txt"),
      join(store, "pg-async-replica", "20261122T100000.000Z", "escape.txt"),
    );
    server = await serveStore(store, { port: 0 });
  });

  afterAll(async () => {
    await server?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it("lists runs newest first, with their verdicts", async () => {
    const runs = await listRuns(store);
    expect(runs.map((r) => r.timestamp)).toEqual([
      "20261122T100000.000Z",
      "20261121T100000.000Z",
      "20261120T100000.000Z",
      "20261119T100000.000Z",
    ]);
    expect(runs.map((r) => r.valid)).toEqual([true, "unknown", false, true]);
    const index = await get(server.port, "/");
    expect(index.status).toBe(200);
    const order = ["2026-11-22 10:00:00 UTC", "2026-11-21", "2026-11-20"].map((s) => index.body.indexOf(s));
    expect(order.every((i) => i > 0)).toBe(true);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(index.body).toContain('<span class="bad">invalid</span> nonlinearizable');
    expect(index.body).not.toContain("<script>alert(1)<");
    expect(index.body).toContain("&lt;script&gt;alert(1)&lt;");
  });

  it("serves run files, through store/latest too, without letting them be sniffed as HTML", async () => {
    const r = await get(server.port, "/pg-async-replica/20261122T100000.000Z/results.json");
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body).valid).toBe(true);
    const h = await get(server.port, "/latest/history.jsonl");
    expect(h.status).toBe(200);
    expect(h.type).toBe("text/plain; charset=utf-8");
    expect((await get(server.port, "/latest/report.html")).type).toBe("text/html; charset=utf-8");
    expect((await get(server.port, "/latest/nope.json")).status).toBe(404);
  });

  it("refuses ../ in every spelling, and symlinks that lead out of the store", async () => {
    for (const path of [
      "/../secret.txt",
      "/pg-async-replica/../../secret.txt",
      "/%2e%2e/secret.txt",
      "/%2E%2E%2Fsecret.txt",
      "/pg-async-replica/..%2f..%2fsecret.txt",
      "/..%5csecret.txt",
      "/%00",
      "/%zz",
      "/pg-async-replica/20261122T100000.000Z/escape.txt",
    ]) {
      const r = await get(server.port, path);
      expect(r.status, path).toBe(403);
      expect(r.body, path).not.toContain("outside the store");
    }
  });

  it("answers only loopback Host headers (DNS rebinding) and listens only on loopback", async () => {
    expect((await get(server.port, "/", "evil.example")).status).toBe(403);
    expect((await get(server.port, "/", "localhost")).status).toBe(200);
    await expect(serveStore(store, { host: "0.0.0.0" })).rejects.toThrow(/refusing to listen on 0\.0\.0\.0/);
    await expect(serveStore(join(tmp, "missing"))).rejects.toThrow(/is not a readable directory/);
  });
});
