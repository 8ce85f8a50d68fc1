/** Unit: which Toxiproxy the harness uses, in order: explicit URL, toxiproxy-server on PATH, our own. */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startProxyServer } from "../../harness/proxy/server.ts";
import { acquireProxy, findOnPath } from "../../harness/proxy/source.ts";

const saved = { url: process.env.TOXIPROXY_URL, path: process.env.PATH };
let dir: string;

beforeEach(() => {
  delete process.env.TOXIPROXY_URL;
  dir = mkdtempSync(join(tmpdir(), "faultline-proxy-source-"));
});

afterEach(() => {
  if (saved.url === undefined) delete process.env.TOXIPROXY_URL;
  else process.env.TOXIPROXY_URL = saved.url;
  process.env.PATH = saved.path;
  rmSync(dir, { recursive: true, force: true });
});

describe("acquireProxy", () => {
  it("uses an explicit URL as an external server, and leaves it running on release", async () => {
    const server = await startProxyServer({ port: 0 });
    try {
      const got = await acquireProxy({ url: `${server.url}/` });
      expect(got).toMatchObject({ url: server.url, kind: "external", version: "2.12.0" });
      await got.release();
      expect((await fetch(`${server.url}/version`)).status).toBe(200);
      process.env.TOXIPROXY_URL = server.url;
      expect((await acquireProxy()).kind).toBe("external");
    } finally {
      await server.close();
    }
  });

  it("fails clearly when the explicit server does not answer", async () => {
    await expect(acquireProxy({ url: "http://127.0.0.1:1" })).rejects.toThrow(/does not answer/);
  });

  it("starts a toxiproxy-server found on PATH on a free loopback port, and stops it on release", async () => {
    // A stand-in for the real binary: our server behind toxiproxy-server's flags.
    const repo = resolve(import.meta.dirname, "../..");
    const script = [
      'const i = process.argv.indexOf("-port");',
      'const h = process.argv.indexOf("-host");',
      `const { startProxyServer } = await import(${JSON.stringify(join(repo, "harness/proxy/server.ts"))});`,
      "await startProxyServer({ host: process.argv[h + 1], port: Number(process.argv[i + 1]) });",
    ].join("\n");
    writeFileSync(join(dir, "fake.mjs"), script);
    const bin = join(dir, "toxiproxy-server");
    writeFileSync(
      bin,
      `#!/bin/sh\ncd ${JSON.stringify(repo)}\nexec ${JSON.stringify(process.execPath)} --import tsx ${JSON.stringify(join(dir, "fake.mjs"))} "$@"\n`,
    );
    chmodSync(bin, 0o755);
    process.env.PATH = `${dir}:${saved.path}`;
    expect(await findOnPath("toxiproxy-server")).toBe(bin);
    const got = await acquireProxy();
    expect(got.kind).toBe("toxiproxy-server");
    expect(got.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(`${got.url}/version`)).status).toBe(200);
    await got.release();
    await expect(fetch(`${got.url}/version`)).rejects.toThrow();
  });

  it("falls back to faultline's own server", async () => {
    process.env.PATH = dir; // nothing there
    const got = await acquireProxy();
    try {
      expect(got.kind).toBe("faultline");
      expect((await fetch(`${got.url}/proxies`)).status).toBe(200);
    } finally {
      await got.release();
    }
    await expect(fetch(`${got.url}/version`)).rejects.toThrow();
  });
});
