/**
 * Conformance: the places where clients notice whether they talk to Toxiproxy 2.12 or to a
 * look-alike (issue 15). Each test says what the real server does, from its source (api.go,
 * proxy.go, proxy_collection.go, link.go, toxic_collection.go) and from running both side by
 * side; like the rest of the suite it runs against TOXIPROXY_URL, a toxiproxy-server on PATH, or
 * faultline's own server. Where faultline deliberately differs the test accepts both answers and
 * says why.
 */
import type { Socket } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { acquireTarget, cleanup, type Target } from "./support/target.ts";
import { dial, observe, type Peer, portOf, roundTrip, startEcho, tryDial } from "./support/tcp.ts";

const FILE = "fidelity";
let target: Target;
let echo: Peer;
const open: Socket[] = [];

beforeAll(async () => {
  target = await acquireTarget(FILE);
  echo = await startEcho();
});

afterEach(() => {
  for (const s of open.splice(0)) s.destroy();
});

afterAll(async () => {
  await cleanup(target, FILE);
  await target.release();
  await echo.close();
});

interface ProxyBody {
  name: string;
  listen: string;
  upstream: string;
  enabled: boolean;
  toxics: { name: string }[];
}

async function createProxy(label: string): Promise<ProxyBody & { port: number }> {
  const name = target.name(label);
  const res = await target.http(
    "POST",
    "/proxies",
    JSON.stringify({ name, listen: "127.0.0.1:0", upstream: echo.address }),
  );
  expect(res.status, res.text).toBe(201);
  const body = res.json as ProxyBody;
  return { ...body, port: portOf(body.listen) };
}

async function connect(port: number): Promise<Socket> {
  const s = await dial(port);
  open.push(s);
  return s;
}

async function addToxic(proxy: string, toxic: Record<string, unknown>) {
  const res = await target.http("POST", `/proxies/${proxy}/toxics`, JSON.stringify(toxic));
  expect(res.status, res.text).toBe(200);
}

describe("re-populate and update with an equivalent listen address", () => {
  // Real: Proxy.Differs resolves the new listen (net.ResolveTCPAddr) before comparing, so
  // `localhost:P` for a proxy listening on 127.0.0.1:P is no change: the proxy keeps its toxics
  // and its open connections (Toxiproxy PR #631, issue #131). Clients populate before every test.
  it("POST /populate with localhost:P keeps the proxy's toxics and open connections", async () => {
    const p = await createProxy("repop");
    await addToxic(p.name, { name: "lat", type: "latency", attributes: { latency: 1 } });
    const s = await connect(p.port);
    await roundTrip(s, "before");
    const res = await target.http(
      "POST",
      "/populate",
      JSON.stringify([{ name: p.name, listen: `localhost:${p.port}`, upstream: echo.address }]),
    );
    expect(res.status, res.text).toBe(201);
    const shown = (await target.http("GET", `/proxies/${p.name}`)).json as ProxyBody;
    expect(shown.listen).toBe(p.listen);
    expect(shown.toxics.map((t) => t.name)).toEqual(["lat"]);
    await roundTrip(s, "after: the same connection still works");
  });

  it("PATCH /proxies/{name} with localhost:P keeps toxics and connections; another port restarts", async () => {
    const p = await createProxy("reupdate");
    await addToxic(p.name, { name: "lat", type: "latency", attributes: { latency: 1 } });
    const s = await connect(p.port);
    await roundTrip(s, "before");
    const same = await target.http(
      "PATCH",
      `/proxies/${p.name}`,
      JSON.stringify({ listen: `localhost:${p.port}` }),
    );
    expect(same.status, same.text).toBe(200);
    expect((same.json as ProxyBody).listen).toBe(p.listen);
    expect((same.json as ProxyBody).toxics.map((t) => t.name)).toEqual(["lat"]);
    await roundTrip(s, "still open");
    // Control: a real change of address restarts the proxy, which closes its connections.
    const seen = observe(s);
    const moved = await target.http("PATCH", `/proxies/${p.name}`, JSON.stringify({ listen: "127.0.0.1:0" }));
    expect(moved.status, moved.text).toBe(200);
    expect(portOf((moved.json as ProxyBody).listen)).not.toBe(p.port);
    expect((await seen.settled(3000)).ending).not.toBe("open");
  });
});

describe("an unparsable listen address", () => {
  // Real: Differs fails to resolve the address and Update/AddOrReplace return that error before
  // stopping anything: 500 with Go's resolver message, and the proxy stays as it was, serving.
  it("PATCH answers 500 and leaves the proxy as it was, still serving", async () => {
    const p = await createProxy("badupdate");
    await addToxic(p.name, { name: "lat", type: "latency", attributes: { latency: 1 } });
    const res = await target.http("PATCH", `/proxies/${p.name}`, JSON.stringify({ listen: "nope" }));
    expect(res.status).toBe(500);
    expect(res.json).toEqual({ error: "address nope: missing port in address", status: 500 });
    const shown = (await target.http("GET", `/proxies/${p.name}`)).json as ProxyBody;
    expect(shown).toMatchObject({ listen: p.listen, enabled: true });
    expect(shown.toxics).toHaveLength(1);
    const s = await connect(p.port);
    await roundTrip(s, "still serving");
  });

  it("POST /populate answers 500 and leaves the proxy as it was, still serving", async () => {
    const p = await createProxy("badpop");
    await addToxic(p.name, { name: "lat", type: "latency", attributes: { latency: 1 } });
    const res = await target.http(
      "POST",
      "/populate",
      JSON.stringify([{ name: p.name, listen: "nope", upstream: echo.address }]),
    );
    expect(res.status).toBe(500);
    expect(res.json).toEqual({ error: "address nope: missing port in address", status: 500, proxies: null });
    const shown = (await target.http("GET", `/proxies/${p.name}`)).json as ProxyBody;
    expect(shown).toMatchObject({ listen: p.listen, enabled: true });
    expect(shown.toxics).toHaveLength(1);
    expect(await tryDial(p.port)).toBe("connected");
  });
});

describe("create without listen", () => {
  // Real: net.Listen("tcp", "") listens on every interface on a free port and answers 201 with
  // listen "[::]:P". faultline answers the same 201 with a free port but binds 127.0.0.1
  // (faultline binds loopback unless told otherwise; send ":P" or "0.0.0.0:P" for every
  // interface). Clients that connect to the reported address work with either.
  it("201 and a free port that accepts connections", async () => {
    const name = target.name("nolisten");
    const res = await target.http("POST", "/proxies", JSON.stringify({ name, upstream: echo.address }));
    expect(res.status, res.text).toBe(201);
    const listen = (res.json as ProxyBody).listen;
    expect(listen).toMatch(/^(127\.0\.0\.1|\[::\]):\d+$/);
    if (target.kind === "faultline") expect(listen).toMatch(/^127\.0\.0\.1:/);
    const s = await connect(portOf(listen));
    await roundTrip(s, "hello");
  });
});

describe("toxics on open connections", () => {
  // Real: each connection's stub rolls its toxicity every time the stub (re)starts, and adding a
  // toxic restarts the stub before it (link.go AddToxic: InterruptToxic, then Run again). So with
  // toxicity 0.5, adding another toxic re-decides, per open connection, whether the first one
  // applies. Rolled once per connection, no connection would change.
  it("toxicity below 1 is rolled again on each open connection when the toxic set changes", async () => {
    const p = await createProxy("reroll");
    await addToxic(p.name, { name: "lat", type: "latency", toxicity: 0.5, attributes: { latency: 300 } });
    const N = 16;
    const sockets = await Promise.all(Array.from({ length: N }, () => connect(p.port)));
    const slow = async () => Promise.all(sockets.map(async (s) => (await roundTrip(s, "x")) > 150));
    const before = await slow();
    // Half of them, give or take: with N=16 all-or-nothing has odds of 2^-15.
    expect(before.some(Boolean) && !before.every(Boolean), `slow: ${before}`).toBe(true);
    await addToxic(p.name, { name: "noop", type: "noop" });
    const after = await slow();
    const changed = before.filter((b, i) => b !== after[i]).length;
    // Each connection re-rolls: P(no change among 16) = 2^-16.
    expect(changed, `before ${before}\nafter  ${after}`).toBeGreaterThan(0);
    // Removing the toxic after it restarts its predecessor's stub too (link.go RemoveToxic).
    expect((await target.http("DELETE", `/proxies/${p.name}/toxics/noop`)).status).toBe(204);
    const removed = await slow();
    const changedAgain = after.filter((b, i) => b !== removed[i]).length;
    expect(changedAgain, `after   ${after}\nremoved ${removed}`).toBeGreaterThan(0);
  });

  // Real: reset_peer resets with RST because link.go sets SO_LINGER 0 on the link's source when
  // the link starts with a reset_peer toxic. Added to a connection already open, the toxic just
  // closes its stub, and the connection ends with a FIN. (Present from the start: RST, see
  // toxics.test.ts.)
  it("reset_peer added to an already open connection closes it with a FIN, not a RST", async () => {
    const p = await createProxy("resetlate");
    const s = await connect(p.port);
    await roundTrip(s, "open");
    await addToxic(p.name, { type: "reset_peer", stream: "upstream", attributes: { timeout: 100 } });
    const seen = observe(s);
    s.write("goes nowhere");
    const result = await seen.settled(5000);
    expect(result.ending).toBe("end");
    expect(result.data.length).toBe(0);
    expect(result.endedAfter).toBeGreaterThanOrEqual(50);
  });
});

describe("response details", () => {
  // Real: /metrics is routed only when toxiproxy-server runs with -proxy-metrics or
  // -runtime-metrics; otherwise it is gorilla/mux's plain 404. (`faultline proxy --proxy-metrics`
  // turns it on; see robustness.test.ts.)
  it("/metrics answers 404 unless metrics are turned on", async () => {
    const res = await target.http("GET", "/metrics");
    expect(res.status).toBe(404);
    expect(res.text).toBe("404 page not found\n");
  });

  // Real: the proxy JSON is the Proxy struct, whose exported `Logger *zerolog.Logger` has no JSON
  // tag and encodes as {} between "enabled" and "toxics", on every route that returns a proxy.
  it('every proxy body carries "Logger": {}', async () => {
    const p = await createProxy("logger");
    const bodies: unknown[] = [
      (await target.http("GET", `/proxies/${p.name}`)).json,
      ((await target.http("GET", "/proxies")).json as Record<string, unknown>)[p.name],
      (await target.http("PATCH", `/proxies/${p.name}`, JSON.stringify({ enabled: true }))).json,
      (
        (
          await target.http(
            "POST",
            "/populate",
            JSON.stringify([{ name: p.name, listen: p.listen, upstream: echo.address }]),
          )
        ).json as { proxies: unknown[] }
      ).proxies[0],
    ];
    for (const body of bodies) {
      expect(body).toMatchObject({ name: p.name, Logger: {} });
      expect(Object.keys(body as object)).toEqual([
        "name",
        "listen",
        "upstream",
        "enabled",
        "Logger",
        "toxics",
      ]);
    }
  });

  // Real: hlog.RequestIDHandler tags every response of a matched route, errors included, with an
  // xid (20 characters of [0-9a-v]); an unknown path (404) or wrong method (405) never reaches
  // the middleware and has no id.
  it("X-Toxiproxy-Request-Id on every routed response, and only there", async () => {
    const p = await createProxy("reqid");
    const id = async (method: string, path: string, init: RequestInit = {}) => {
      const res = await fetch(`${target.url}${path}`, { method, ...init });
      await res.arrayBuffer();
      return { status: res.status, id: res.headers.get("x-toxiproxy-request-id") };
    };
    const routed = [
      await id("GET", "/version"),
      await id("GET", "/proxies"),
      await id("GET", `/proxies/${p.name}`),
      await id("GET", "/proxies/no-such-proxy"), // 404 from the handler: routed
      await id("POST", "/proxies", { body: "{oops" }), // 400: routed
      await id("GET", "/proxies", { headers: { "User-Agent": "Mozilla/5.0" } }), // 403: routed
      await id("DELETE", `/proxies/${p.name}`),
    ];
    expect(routed.map((r) => r.status)).toEqual([200, 200, 200, 404, 400, 403, 204]);
    for (const r of routed) expect(r.id).toMatch(/^[0-9a-v]{20}$/);
    expect(new Set(routed.map((r) => r.id)).size).toBe(routed.length);
    expect(await id("GET", "/nope")).toEqual({ status: 404, id: null });
    expect(await id("DELETE", "/proxies")).toEqual({ status: 405, id: null });
  });
});

describe("Go's decoding of request bodies", () => {
  // Real: encoding/json refuses a number literal with a fraction or exponent, or beyond int64,
  // for an int64 field even when its value is whole (100.0, 1e3): 400 "bad request body" with the
  // field's Go path. Go 1.20+ names the struct by its bare type and the field by its JSON path.
  it("integer attributes refuse 100.0, 1e3 and numbers beyond int64, on create and on update", async () => {
    const p = await createProxy("ints");
    for (const lit of ["100.0", "1e3", "9223372036854775808"]) {
      const res = await target.http(
        "POST",
        `/proxies/${p.name}/toxics`,
        `{"type": "latency", "attributes": {"latency": ${lit}}}`,
      );
      expect(res.status, lit).toBe(400);
      expect(res.json, lit).toEqual({
        error: `bad request body: json: cannot unmarshal number ${lit} into Go struct field LatencyToxic.attributes.latency of type int64`,
        status: 400,
      });
    }
    await addToxic(p.name, { name: "lat", type: "latency", attributes: { latency: 100 } });
    const upd = await target.http(
      "PATCH",
      `/proxies/${p.name}/toxics/lat`,
      '{"attributes": {"latency": 1e3}}',
    );
    expect(upd.status).toBe(400);
    expect((upd.json as { error: string }).error).toBe(
      "bad request body: json: cannot unmarshal number 1e3 into Go struct field LatencyToxic.attributes.latency of type int64",
    );
    // Control: the toxic is as it was, and a plain integer is taken.
    const ok = await target.http(
      "PATCH",
      `/proxies/${p.name}/toxics/lat`,
      '{"attributes": {"latency": 250}}',
    );
    expect(ok.status, ok.text).toBe(200);
    expect((ok.json as { attributes: unknown }).attributes).toEqual({ latency: 250, jitter: 0 });
  });

  it("error texts name Go's struct paths: Proxy.name, ToxicWrapper.toxicity, LatencyToxic.attributes.latency", async () => {
    const p = await createProxy("paths");
    const cases: [string, string, string][] = [
      ["/proxies", '{"name": 5, "upstream": "x:1"}', "number into Go struct field Proxy.name of type string"],
      [
        `/proxies/${p.name}/toxics`,
        '{"type": "latency", "toxicity": "high"}',
        "string into Go struct field ToxicWrapper.toxicity of type float32",
      ],
      [
        `/proxies/${p.name}/toxics`,
        '{"type": "latency", "attributes": {"latency": "slow"}}',
        "string into Go struct field LatencyToxic.attributes.latency of type int64",
      ],
    ];
    for (const [path, body, text] of cases) {
      const res = await target.http("POST", path, body);
      expect(res.status, body).toBe(400);
      expect((res.json as { error: string }).error, body).toBe(
        `bad request body: json: cannot unmarshal ${text}`,
      );
    }
  });
});
