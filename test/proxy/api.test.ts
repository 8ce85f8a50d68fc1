/**
 * Conformance: the Toxiproxy HTTP API's status codes, JSON shapes and error bodies, through
 * toxiproxy-node-client and raw HTTP. Runs against TOXIPROXY_URL, a toxiproxy-server on PATH, or
 * faultline's own server (see support/target.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { acquireTarget, cleanup, type Target } from "./support/target.ts";
import { dial, type Peer, portOf, roundTrip, startEcho, tryDial } from "./support/tcp.ts";

const FILE = "api";
let target: Target;
let echo: Peer;

beforeAll(async () => {
  target = await acquireTarget(FILE);
  echo = await startEcho();
});

afterAll(async () => {
  await cleanup(target, FILE);
  await target.release();
  await echo.close();
});

async function createProxy(label: string, extra: Record<string, unknown> = {}) {
  const name = target.name(label);
  const res = await target.http(
    "POST",
    "/proxies",
    JSON.stringify({ name, listen: "127.0.0.1:0", upstream: echo.address, ...extra }),
  );
  expect(res.status, res.text).toBe(201);
  return { name, body: res.json as { name: string; listen: string; upstream: string; enabled: boolean } };
}

describe("version", () => {
  it("GET /version answers a 2.x version", async () => {
    const res = await target.http("GET", "/version");
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ version: expect.stringMatching(/^2\./) });
    expect(await target.client.getVersion()).toContain(target.version);
  });
});

describe("proxies", () => {
  it("creates a proxy: 201, its fields, the bound port in listen, no toxics", async () => {
    const name = target.name("create");
    const res = await target.http(
      "POST",
      "/proxies",
      JSON.stringify({ name, listen: "127.0.0.1:0", upstream: echo.address }),
    );
    expect(res.status).toBe(201);
    expect(res.json).toEqual({
      name,
      listen: expect.stringMatching(/^127\.0\.0\.1:\d+$/),
      upstream: echo.address,
      enabled: true,
      // Toxiproxy's Proxy struct has an untagged `Logger *zerolog.Logger`, encoded as {}.
      Logger: {},
      toxics: [],
    });
    const port = portOf((res.json as { listen: string }).listen);
    expect(port).toBeGreaterThan(0);
    const s = await dial(port);
    await roundTrip(s, "hello");
    s.destroy();
  });

  it("creates through toxiproxy-node-client, and lists proxies as an object keyed by name", async () => {
    const name = target.name("client");
    const proxy = await target.client.createProxy({ name, listen: "127.0.0.1:0", upstream: echo.address });
    expect(proxy.enabled).toBe(true);
    expect(portOf(proxy.listen)).toBeGreaterThan(0);
    const all = await target.http("GET", "/proxies");
    expect(all.status).toBe(200);
    expect((all.json as Record<string, unknown>)[name]).toEqual({
      name,
      listen: proxy.listen,
      upstream: echo.address,
      enabled: true,
      // Toxiproxy's Proxy struct has an untagged `Logger *zerolog.Logger`, encoded as {}.
      Logger: {},
      toxics: [],
    });
    const viaClient = await target.client.getAll();
    expect(viaClient[name].listen).toBe(proxy.listen);
    const one = await target.client.get(name);
    expect(one.upstream).toBe(echo.address);
  });

  it("creates a disabled proxy when asked", async () => {
    const { body } = await createProxy("disabled", { enabled: false });
    expect(body.enabled).toBe(false);
  });

  it("409 for a duplicate name", async () => {
    const { name } = await createProxy("dup");
    const res = await target.http(
      "POST",
      "/proxies",
      JSON.stringify({ name, listen: "127.0.0.1:0", upstream: echo.address }),
    );
    expect(res.status).toBe(409);
    expect(res.json).toEqual({ error: "proxy already exists", status: 409 });
  });

  it("400 for a missing name or upstream", async () => {
    const noName = await target.http(
      "POST",
      "/proxies",
      JSON.stringify({ listen: "127.0.0.1:0", upstream: "x:1" }),
    );
    expect(noName.status).toBe(400);
    expect(noName.json).toEqual({ error: "missing required field: name", status: 400 });
    const noUpstream = await target.http(
      "POST",
      "/proxies",
      JSON.stringify({ name: target.name("noup"), listen: "127.0.0.1:0" }),
    );
    expect(noUpstream.status).toBe(400);
    expect(noUpstream.json).toEqual({ error: "missing required field: upstream", status: 400 });
  });

  it("500 with the OS message when the listen address is taken", async () => {
    const res = await target.http(
      "POST",
      "/proxies",
      JSON.stringify({ name: target.name("taken"), listen: echo.address, upstream: echo.address }),
    );
    expect(res.status).toBe(500);
    expect(res.json).toEqual({ error: expect.stringContaining("address already in use"), status: 500 });
    // The failed proxy was not kept.
    const all = await target.http("GET", "/proxies");
    expect(Object.keys(all.json as object).some((n) => n.includes("_taken_"))).toBe(false);
  });

  it("404 for an unknown proxy, on every proxy route", async () => {
    const notFound = { error: "proxy not found", status: 404 };
    for (const [method, path, body] of [
      ["GET", "/proxies/nope_never"],
      ["POST", "/proxies/nope_never", "{}"],
      ["PATCH", "/proxies/nope_never", "{}"],
      ["DELETE", "/proxies/nope_never"],
      ["GET", "/proxies/nope_never/toxics"],
      ["POST", "/proxies/nope_never/toxics", '{"type":"latency"}'],
      ["GET", "/proxies/nope_never/toxics/x"],
      ["DELETE", "/proxies/nope_never/toxics/x"],
    ] as const) {
      const res = await target.http(method, path, body);
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.json, `${method} ${path}`).toEqual(notFound);
    }
  });

  it("updates a proxy (POST and PATCH): disable refuses connections, enable restores them", async () => {
    const { name, body } = await createProxy("update");
    const port = portOf(body.listen);
    const off = await target.http("PATCH", `/proxies/${name}`, JSON.stringify({ enabled: false }));
    expect(off.status).toBe(200);
    expect(off.json).toMatchObject({ name, enabled: false, listen: body.listen, upstream: echo.address });
    expect(await tryDial(port)).toBe("ECONNREFUSED");
    const proxy = await target.client.get(name);
    const on = await proxy.update({ enabled: true, listen: proxy.listen, upstream: proxy.upstream });
    expect(on.enabled).toBe(true);
    expect(await tryDial(port)).toBe("connected");
  });

  it("deletes a proxy: 204, then 404, and its port is closed", async () => {
    const { name, body } = await createProxy("delete");
    const res = await target.http("DELETE", `/proxies/${name}`);
    expect(res.status).toBe(204);
    expect(res.text).toBe("");
    expect((await target.http("GET", `/proxies/${name}`)).status).toBe(404);
    expect(await tryDial(portOf(body.listen))).toBe("ECONNREFUSED");
  });
});

describe("toxics", () => {
  it("creates a toxic with Toxiproxy's defaults: 200, <type>_<stream>, downstream, toxicity 1", async () => {
    const { name } = await createProxy("toxdefaults");
    const res = await target.http(
      "POST",
      `/proxies/${name}/toxics`,
      JSON.stringify({ type: "latency", attributes: { latency: 10 } }),
    );
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      attributes: { latency: 10, jitter: 0 },
      name: "latency_downstream",
      type: "latency",
      stream: "downstream",
      toxicity: 1,
    });
    const up = await target.http(
      "POST",
      `/proxies/${name}/toxics`,
      JSON.stringify({ type: "latency", stream: "upstream", toxicity: 0.5 }),
    );
    expect(up.json).toMatchObject({ name: "latency_upstream", stream: "upstream", toxicity: 0.5 });
    const list = await target.http("GET", `/proxies/${name}/toxics`);
    expect(list.status).toBe(200);
    expect((list.json as { name: string }[]).map((t) => t.name).sort()).toEqual([
      "latency_downstream",
      "latency_upstream",
    ]);
    const shown = await target.http("GET", `/proxies/${name}`);
    expect((shown.json as { toxics: unknown[] }).toxics).toHaveLength(2);
  });

  it("matches the stream case-insensitively and echoes it as sent", async () => {
    const { name } = await createProxy("toxcase");
    const res = await target.http(
      "POST",
      `/proxies/${name}/toxics`,
      JSON.stringify({ type: "latency", stream: "UpStream" }),
    );
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ name: "latency_UpStream", stream: "UpStream" });
  });

  it("every toxic type's attributes, zero by default", async () => {
    const { name } = await createProxy("toxattrs");
    const expected: Record<string, Record<string, number>> = {
      latency: { latency: 0, jitter: 0 },
      bandwidth: { rate: 0 },
      slow_close: { delay: 0 },
      timeout: { timeout: 0 },
      reset_peer: { timeout: 0 },
      slicer: { average_size: 0, size_variation: 0, delay: 0 },
      limit_data: { bytes: 0 },
    };
    for (const [type, attributes] of Object.entries(expected)) {
      const res = await target.http(
        "POST",
        `/proxies/${name}/toxics`,
        JSON.stringify({ type, name: `t_${type}`, stream: "upstream", toxicity: 0 }),
      );
      expect(res.status, type).toBe(200);
      expect((res.json as { attributes: unknown }).attributes, type).toEqual(attributes);
    }
  });

  it("409 for a duplicate toxic name, 400 for a bad stream or type, 404 for an unknown toxic", async () => {
    const { name } = await createProxy("toxerrors");
    const add = (body: unknown) => target.http("POST", `/proxies/${name}/toxics`, JSON.stringify(body));
    expect((await add({ type: "latency" })).status).toBe(200);
    expect(await add({ type: "latency" }).then((r) => [r.status, r.json])).toEqual([
      409,
      { error: "toxic already exists", status: 409 },
    ]);
    expect(await add({ type: "latency", stream: "sideways" }).then((r) => [r.status, r.json])).toEqual([
      400,
      { error: "stream was invalid, can be either upstream or downstream", status: 400 },
    ]);
    expect(await add({ type: "bogus" }).then((r) => [r.status, r.json])).toEqual([
      400,
      { error: "invalid toxic type", status: 400 },
    ]);
    const missing = await target.http("GET", `/proxies/${name}/toxics/nope`);
    expect([missing.status, missing.json]).toEqual([404, { error: "toxic not found", status: 404 }]);
    const delMissing = await target.http("DELETE", `/proxies/${name}/toxics/nope`);
    expect([delMissing.status, delMissing.json]).toEqual([404, { error: "toxic not found", status: 404 }]);
    const updMissing = await target.http("PATCH", `/proxies/${name}/toxics/nope`, "{}");
    expect([updMissing.status, updMissing.json]).toEqual([404, { error: "toxic not found", status: 404 }]);
  });

  it("updates a toxic (POST via the client, PATCH raw): attributes merge, toxicity changes", async () => {
    const { name } = await createProxy("toxupdate");
    const proxy = await target.client.get(name);
    const toxic = await proxy.addToxic({
      name: "slow",
      type: "latency",
      stream: "downstream",
      toxicity: 1,
      attributes: { latency: 100, jitter: 5 },
    });
    const updated = await toxic.update({ ...toxic.toJson(), attributes: { latency: 200, jitter: 5 } });
    expect(updated.attributes).toEqual({ latency: 200, jitter: 5 });
    const patched = await target.http(
      "PATCH",
      `/proxies/${name}/toxics/slow`,
      JSON.stringify({ attributes: { jitter: 7 }, toxicity: 0.25 }),
    );
    expect(patched.status).toBe(200);
    expect(patched.json).toEqual({
      attributes: { latency: 200, jitter: 7 },
      name: "slow",
      type: "latency",
      stream: "downstream",
      toxicity: 0.25,
    });
    const del = await target.http("DELETE", `/proxies/${name}/toxics/slow`);
    expect(del.status).toBe(204);
    expect((await target.http("GET", `/proxies/${name}/toxics`)).json).toEqual([]);
  });
});

describe("reset and populate", () => {
  it("POST /reset: 204, every toxic removed, every proxy enabled", async () => {
    const { name, body } = await createProxy("reset");
    await target.http("POST", `/proxies/${name}/toxics`, JSON.stringify({ type: "latency" }));
    await target.http("POST", `/proxies/${name}`, JSON.stringify({ enabled: false }));
    const res = await target.http("POST", "/reset");
    expect(res.status).toBe(204);
    const shown = await target.http("GET", `/proxies/${name}`);
    expect(shown.json).toMatchObject({ enabled: true, toxics: [] });
    expect(await tryDial(portOf(body.listen))).toBe("connected");
    await target.client.reset(); // and through the client
  });

  it("POST /populate creates proxies (201), keeps unchanged ones, rejects a missing name", async () => {
    const a = target.name("popa");
    const b = target.name("popb");
    const input = [
      { name: a, listen: "127.0.0.1:0", upstream: echo.address },
      { name: b, listen: "127.0.0.1:0", upstream: echo.address, enabled: false },
    ];
    const res = await target.http("POST", "/populate", JSON.stringify(input));
    expect(res.status).toBe(201);
    const proxies = (res.json as { proxies: { name: string; listen: string; enabled: boolean }[] }).proxies;
    expect(proxies.map((p) => [p.name, p.enabled])).toEqual([
      [a, true],
      [b, false],
    ]);
    // Same listen (as bound) and upstream: kept as is, same port.
    const again = await target.client.populate([
      { name: a, listen: proxies[0].listen, upstream: echo.address },
    ]);
    expect(again[a].listen).toBe(proxies[0].listen);
    const bad = await target.http(
      "POST",
      "/populate",
      JSON.stringify([{ listen: "127.0.0.1:0", upstream: "x:1" }]),
    );
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ error: "missing required field: name at proxy 1", status: 400 });
  });
});

describe("bad input", () => {
  it("400 'bad request body' for malformed JSON and wrong types, and the server keeps serving", async () => {
    const { name } = await createProxy("badinput");
    const cases: [string, string, string | undefined][] = [
      ["POST", "/proxies", "{not json"],
      ["POST", "/proxies", ""],
      ["POST", "/proxies", '{"name": 5, "upstream": "x:1"}'],
      ["POST", "/proxies", '{"name": "x", "upstream": "x:1", "enabled": "yes"}'],
      ["POST", "/proxies", "[1,2,3]"],
      ["POST", `/proxies/${name}`, "{oops"],
      ["POST", `/proxies/${name}/toxics`, "{oops"],
      ["POST", `/proxies/${name}/toxics`, '{"type": "latency", "toxicity": "high"}'],
      ["POST", `/proxies/${name}/toxics`, '{"type": "latency", "attributes": {"latency": "slow"}}'],
      ["POST", `/proxies/${name}/toxics`, '{"type": "latency", "attributes": {"latency": 1.5}}'],
      ["POST", "/populate", "{oops"],
      ["POST", "/populate", '{"name": "x"}'],
    ];
    for (const [method, path, body] of cases) {
      const res = await target.http(method, path, body);
      expect(res.status, `${method} ${path} ${body}`).toBe(400);
      expect((res.json as { error: string }).error, `${method} ${path} ${body}`).toMatch(/^bad request body/);
    }
    expect((await target.http("GET", "/version")).status).toBe(200);
    expect((await target.http("GET", `/proxies/${name}/toxics`)).json).toEqual([]);
  });

  it("ignores unknown fields", async () => {
    const name = target.name("unknown");
    const res = await target.http(
      "POST",
      "/proxies",
      JSON.stringify({
        name,
        listen: "127.0.0.1:0",
        upstream: echo.address,
        colour: "blue",
        nested: { a: 1 },
      }),
    );
    expect(res.status).toBe(201);
    const toxic = await target.http(
      "POST",
      `/proxies/${name}/toxics`,
      JSON.stringify({ type: "latency", flavour: "x", attributes: { latency: 1, wobble: 3 } }),
    );
    expect(toxic.status).toBe(200);
    expect((toxic.json as { attributes: unknown }).attributes).toEqual({ latency: 1, jitter: 0 });
  });

  it("404 for unknown routes, 405 for a known route with the wrong method", async () => {
    expect((await target.http("GET", "/nope")).status).toBe(404);
    expect((await target.http("DELETE", "/proxies")).status).toBe(405);
    expect((await target.http("GET", "/reset")).status).toBe(405);
  });

  it("refuses browsers (a Mozilla user agent) with 403", async () => {
    const res = await fetch(`${target.url}/proxies`, { headers: { "User-Agent": "Mozilla/5.0" } });
    expect(res.status).toBe(403);
  });
});
