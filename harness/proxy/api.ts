/**
 * The Toxiproxy 2.x HTTP API over a collection of proxies: same routes, status codes, JSON shapes
 * and error bodies as Toxiproxy's api.go. Requests are handled one at a time (Toxiproxy holds a
 * lock per collection and per proxy; serialising keeps the same outcomes, e.g. for two creates of
 * one name).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  ApiError,
  ErrBadRequestBody,
  ErrMissingField,
  ErrProxyAlreadyExists,
  ErrProxyNotFound,
  ErrToxicNotFound,
} from "./api-error.ts";
import { decodeStruct, GoJsonError, type GoStruct, jsonKind, parseFirstValue } from "./go-json.ts";
import type { ProxyMetrics } from "./metrics.ts";
import { ProxyInstance } from "./proxy.ts";
import { newRequestId, REQUEST_ID_HEADER } from "./request-id.ts";
import { toxicJson } from "./toxic.ts";

/** The Toxiproxy version whose behaviour this server reproduces. */
export const TOXIPROXY_VERSION = "2.12.0";

const PROXY_FIELDS: GoStruct = { name: "string", listen: "string", upstream: "string", enabled: "bool" };

interface Reply {
  status: number;
  body?: string;
  contentType?: string;
}

type Handler = (body: string) => Promise<Reply>;

function send(res: ServerResponse, reply: Reply): void {
  res.statusCode = reply.status;
  if (reply.contentType) res.setHeader("Content-Type", reply.contentType);
  if (reply.contentType?.startsWith("text/plain")) res.setHeader("X-Content-Type-Options", "nosniff");
  res.end(reply.body);
}

function json(status: number, value: unknown): Reply {
  return { status, body: JSON.stringify(value), contentType: "application/json" };
}

/** Toxiproxy's apiError: JSON text sent through Go's http.Error (text/plain, trailing newline). */
function errorReply(err: unknown): Reply {
  const e =
    err instanceof ApiError ? err : new ApiError(err instanceof Error ? err.message : String(err), 500);
  return {
    status: e.status,
    body: `${JSON.stringify({ error: e.message, status: e.status })}\n`,
    contentType: "text/plain; charset=utf-8",
  };
}

function decodeBody<T extends Record<string, unknown>>(
  body: string,
  schema: GoStruct,
  defaults: T,
  goName: string,
): T {
  try {
    return decodeStruct(parseFirstValue(body), schema, defaults, goName);
  } catch (e) {
    if (e instanceof GoJsonError) throw ApiError.join(ErrBadRequestBody, e);
    throw e;
  }
}

export class ToxiproxyApi {
  readonly proxies = new Map<string, ProxyInstance>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly metrics: ProxyMetrics,
    private readonly log: (message: string) => void,
    /** Serve /metrics (Toxiproxy's -proxy-metrics); otherwise it answers 404 as Toxiproxy does. */
    private readonly metricsEnabled = false,
  ) {}

  /** Runs `fn` after every earlier request has finished. */
  private serialised<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => {});
    return run;
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("error", () => res.destroy());
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const route = this.match(req.method ?? "GET", req.url ?? "/");
      // Only a matched route runs Toxiproxy's middleware (gorilla/mux): the request id and the
      // browser check. 404 and 405 answers carry neither.
      if (typeof route !== "function") return send(res, route);
      res.setHeader(REQUEST_ID_HEADER, newRequestId());
      // Toxiproxy refuses browsers, so that a web page cannot drive a local Toxiproxy.
      if ((req.headers["user-agent"] ?? "").startsWith("Mozilla/")) {
        return send(res, {
          status: 403,
          body: "User agent not allowed\n",
          contentType: "text/plain; charset=utf-8",
        });
      }
      this.serialised(() => route(body))
        .catch((e: unknown) => errorReply(e))
        .then((reply) => send(res, reply));
    });
  }

  /** The handler for a method and path, or the 404/405 reply when no route matches. */
  private match(method: string, url: string): Handler | Reply {
    const path = url.split("?")[0];
    const parts = path.split("/").slice(1);
    let segs: string[];
    try {
      segs = parts.map(decodeURIComponent);
    } catch {
      return notFound();
    }
    const notAllowed: Reply = { status: 405 };
    const is = (...allowed: string[]) => allowed.includes(method);

    if (segs.length === 1) {
      switch (segs[0]) {
        case "reset":
          return is("POST") ? () => this.reset() : notAllowed;
        case "proxies":
          if (is("GET")) return async () => this.proxyIndex();
          return is("POST") ? (body) => this.proxyCreate(body) : notAllowed;
        case "populate":
          return is("POST") ? (body) => this.populate(body) : notAllowed;
        case "version":
          return is("GET")
            ? async () => ({
                status: 200,
                body: `{"version": "${TOXIPROXY_VERSION}"}\n`,
                contentType: "application/json;charset=utf-8",
              })
            : notAllowed;
        case "metrics":
          // Toxiproxy routes /metrics (any method) only when started with -proxy-metrics or
          // -runtime-metrics; otherwise it is an unknown path.
          if (!this.metricsEnabled) return notFound();
          return async () => ({
            status: 200,
            body: this.metrics.render(),
            contentType: "text/plain; version=0.0.4; charset=utf-8",
          });
      }
      return notFound();
    }
    if (segs[0] !== "proxies" || segs.slice(1).some((s) => s === "")) return notFound();
    const name = segs[1];
    if (segs.length === 2) {
      if (is("GET")) return async () => json(200, this.get(name));
      if (is("POST", "PATCH")) return (body) => this.proxyUpdate(name, body);
      if (is("DELETE")) return async () => this.proxyDelete(name);
      return notAllowed;
    }
    if (segs[2] !== "toxics") return notFound();
    if (segs.length === 3) {
      if (is("GET")) return async () => json(200, this.get(name).toxics.list().map(toxicJson));
      if (is("POST")) return async (body) => json(200, toxicJson(this.get(name).toxics.addJson(body)));
      return notAllowed;
    }
    if (segs.length === 4) {
      const toxic = segs[3];
      if (is("GET")) {
        return async () => {
          const t = this.get(name).toxics.find(toxic);
          if (!t) throw ErrToxicNotFound;
          return json(200, toxicJson(t));
        };
      }
      if (is("POST", "PATCH")) {
        return async (body) => json(200, toxicJson(this.get(name).toxics.updateJson(toxic, body)));
      }
      if (is("DELETE")) {
        return async () => {
          this.get(name).toxics.remove(toxic);
          return { status: 204 };
        };
      }
      return notAllowed;
    }
    return notFound();
  }

  private get(name: string): ProxyInstance {
    const p = this.proxies.get(name);
    if (!p) throw ErrProxyNotFound;
    return p;
  }

  private proxyIndex(): Reply {
    // Go marshals a map with its keys sorted.
    const out: Record<string, unknown> = {};
    for (const name of [...this.proxies.keys()].sort()) out[name] = this.proxies.get(name)!.toJSON();
    return json(200, out);
  }

  private async proxyCreate(body: string): Promise<Reply> {
    const input = decodeBody(
      body,
      PROXY_FIELDS,
      { name: "", listen: "", upstream: "", enabled: true },
      "Proxy",
    );
    if (input.name.length < 1) throw ApiError.join(ErrMissingField, "name");
    if (input.upstream.length < 1) throw ApiError.join(ErrMissingField, "upstream");
    if (this.proxies.has(input.name)) throw ErrProxyAlreadyExists;
    const proxy = new ProxyInstance(input.name, input.listen, input.upstream, this.metrics, this.log);
    if (input.enabled) await proxy.start();
    this.proxies.set(proxy.name, proxy);
    return json(201, proxy.toJSON());
  }

  private async proxyUpdate(name: string, body: string): Promise<Reply> {
    const proxy = this.get(name);
    const input = decodeBody(
      body,
      PROXY_FIELDS,
      { name: proxy.name, listen: proxy.listen, upstream: proxy.upstream, enabled: proxy.enabled },
      "Proxy",
    );
    await proxy.update(input);
    return json(200, proxy.toJSON());
  }

  private proxyDelete(name: string): Reply {
    const proxy = this.get(name);
    proxy.stop();
    this.proxies.delete(name);
    return { status: 204 };
  }

  /** POST /populate: create, or replace where listen/upstream differ; all validated first. */
  private async populate(body: string): Promise<Reply> {
    const applied: ProxyInstance[] = [];
    const reply = (err: ApiError | undefined): Reply => {
      const proxies = applied.length === 0 ? null : applied.map((p) => p.toJSON());
      const value = err ? { error: err.message, status: err.status, proxies } : { proxies };
      return json(err ? err.status : 201, value);
    };
    let items: { name: string; listen: string; upstream: string; enabled: boolean }[];
    try {
      let raw: unknown;
      try {
        raw = parseFirstValue(body);
      } catch (e) {
        if (e instanceof GoJsonError) throw ApiError.join(ErrBadRequestBody, e);
        throw e;
      }
      if (raw !== null && !Array.isArray(raw)) {
        throw ApiError.join(
          ErrBadRequestBody,
          `json: cannot unmarshal ${jsonKind(raw)} into Go value of type []struct { toxiproxy.Proxy; Enabled *bool "json:\\"enabled\\"" }`,
        );
      }
      items = [];
      for (const [i, entry] of ((raw as unknown[] | null) ?? []).entries()) {
        let item: { name: string; listen: string; upstream: string; enabled: boolean };
        try {
          item = decodeStruct(
            entry,
            PROXY_FIELDS,
            { name: "", listen: "", upstream: "", enabled: true },
            // Populate decodes into an anonymous struct embedding Proxy: Go names it "".
            "",
          );
        } catch (e) {
          if (e instanceof GoJsonError) throw ApiError.join(ErrBadRequestBody, e);
          throw e;
        }
        if (item.name.length < 1) throw ApiError.join(ErrMissingField, `name at proxy ${i + 1}`);
        if (item.upstream.length < 1) throw ApiError.join(ErrMissingField, `upstream at proxy ${i + 1}`);
        items.push(item);
      }
    } catch (e) {
      return reply(e instanceof ApiError ? e : new ApiError(String(e), 500));
    }
    for (const item of items) {
      const existing = this.proxies.get(item.name);
      if (existing) {
        // As Toxiproxy's Differs: `localhost:P` for a proxy on 127.0.0.1:P is no change (its
        // toxics and connections stay); an unresolvable listen is a 500 that leaves it as it was.
        let differs: boolean;
        try {
          differs = await existing.differs(item);
        } catch (e) {
          return reply(new ApiError((e as Error).message, 500));
        }
        if (!differs) {
          applied.push(existing);
          continue;
        }
      }
      existing?.stop();
      const proxy = new ProxyInstance(item.name, item.listen, item.upstream, this.metrics, this.log);
      try {
        if (item.enabled) await proxy.start();
      } catch (e) {
        // As Toxiproxy: the old proxy stays in the collection, stopped.
        return reply(new ApiError((e as Error).message, 500));
      }
      this.proxies.set(proxy.name, proxy);
      applied.push(proxy);
    }
    return reply(undefined);
  }

  /** POST /reset: enable every proxy and remove every toxic. */
  private async reset(): Promise<Reply> {
    for (const proxy of this.proxies.values()) {
      await proxy.start();
      proxy.toxics.reset();
    }
    return { status: 204 };
  }

  /** Stops every proxy (server shutdown). */
  stopAll(): void {
    for (const p of this.proxies.values()) p.stop();
  }
}

function notFound(): Reply {
  return { status: 404, body: "404 page not found\n", contentType: "text/plain; charset=utf-8" };
}
