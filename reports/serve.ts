/**
 * `faultline serve [store]`: a tiny static HTTP server over the store directory. The index lists
 * runs newest first with each run's verdict; every file of a run folder is served as-is.
 *
 * Loopback only (the store holds histories with whatever the database returned), no path
 * traversal (`..`, encoded or not, and symlinks that lead out of the store are refused), and
 * run files are served with nosniff and a strict CSP, so a hostile value cannot become a page.
 */
import { createReadStream } from "node:fs";
import { readdir, readFile, realpath, stat } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, resolve, sep } from "node:path";
import type { Validity } from "../checkers/verdict.ts";
import { escapeHtml as h } from "./escape.ts";

export interface ServeOptions {
  /** Must be a loopback address; default 127.0.0.1. */
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
}

export interface StoreServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface RunEntry {
  /** Path relative to the store, with forward slashes: `<test-name>/<timestamp>`. */
  path: string;
  test: string;
  timestamp: string;
  valid: Validity | undefined;
  anomalyTypes: string[];
  hasReport: boolean;
  mtimeMs: number;
}

const CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".jsonl": "text/plain; charset=utf-8",
  ".xml": "application/xml; charset=utf-8",
  ".md": "text/plain; charset=utf-8",
  ".log": "text/plain; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".edn": "text/plain; charset=utf-8",
  ".png": "image/png",
  ".svg": "image/svg+xml",
};

/** True for 127.0.0.0/8, ::1 and localhost. */
export function isLoopback(host: string): boolean {
  const hname = host.replace(/^\[|\]$/g, "").toLowerCase();
  return hname === "localhost" || hname === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hname);
}

/** Run folders under the store (`<test>/<timestamp>/` holding test.json, history.jsonl or results.json), newest first. */
export async function listRuns(storeDir: string): Promise<RunEntry[]> {
  const root = resolve(storeDir);
  const runs: RunEntry[] = [];
  const tests = await readdir(root, { withFileTypes: true }).catch(() => []);
  for (const t of tests) {
    // `latest` is a symlink to a run already listed under its test.
    if (!t.isDirectory() || t.name === "latest") continue;
    const stamps = await readdir(join(root, t.name), { withFileTypes: true }).catch(() => []);
    for (const s of stamps) {
      if (!s.isDirectory()) continue;
      const dir = join(root, t.name, s.name);
      const files = new Set(await readdir(dir).catch(() => [] as string[]));
      if (!files.has("test.json") && !files.has("history.jsonl") && !files.has("results.json")) continue;
      let valid: Validity | undefined;
      let anomalyTypes: string[] = [];
      if (files.has("results.json")) {
        try {
          const r = JSON.parse(await readFile(join(dir, "results.json"), "utf8")) as {
            valid?: unknown;
            anomalyTypes?: unknown;
          };
          if (r.valid === true || r.valid === false || r.valid === "unknown") valid = r.valid;
          if (Array.isArray(r.anomalyTypes)) anomalyTypes = r.anomalyTypes.map(String);
        } catch {
          // An unreadable results.json shows as "no verdict"; the files are still served.
        }
      }
      const st = await stat(dir);
      runs.push({
        path: `${t.name}/${s.name}`,
        test: t.name,
        timestamp: s.name,
        valid,
        anomalyTypes,
        hasReport: files.has("report.html"),
        mtimeMs: st.mtimeMs,
      });
    }
  }
  // Folder names are sortable UTC timestamps; the modification time breaks ties and odd names.
  return runs.sort((a, b) => b.timestamp.localeCompare(a.timestamp) || b.mtimeMs - a.mtimeMs);
}

function verdictLabel(r: RunEntry): string {
  if (r.valid === true) return `<span class="ok">valid</span>`;
  if (r.valid === false) return `<span class="bad">invalid</span> ${h(r.anomalyTypes.join(", "))}`;
  if (r.valid === "unknown") return `<span class="warn">unknown</span>`;
  return `<span class="muted">no verdict (running, or the run failed)</span>`;
}

/** 20261123T124759.098Z -> 2026-11-23 12:47:59 UTC; other names as they are. */
function readableStamp(stamp: string): string {
  const m = stamp.match(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(?:\.\d+)?Z(-\d+)?$/);
  return m ? `${m[1]}-${m[2]}-${m[3]} ${m[4]}:${m[5]}:${m[6]} UTC${m[7] ?? ""}` : stamp;
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${h(title)}</title><style>
body{font:14px/1.5 system-ui,sans-serif;margin:24px auto;max-width:980px;padding:0 16px;color:#111827}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #e5e7eb}
th{background:#f9fafb}.ok{color:#15803d;font-weight:600}.bad{color:#b91c1c;font-weight:600}.warn{color:#b45309;font-weight:600}.muted{color:#6b7280}
a{color:#1d4ed8}</style></head><body>${body}</body></html>`;
}

function encodePath(p: string): string {
  return p.split("/").map(encodeURIComponent).join("/");
}

async function indexPage(root: string): Promise<string> {
  const runs = await listRuns(root);
  const rows = runs
    .map((r) => {
      const href = `/${encodePath(r.path)}/${r.hasReport ? "report.html" : ""}`;
      return `<tr><td><a href="${h(href)}">${h(r.test)}</a></td><td title="${h(r.timestamp)}">${h(readableStamp(r.timestamp))}</td><td>${verdictLabel(r)}</td><td><a href="/${h(encodePath(r.path))}/">files</a></td></tr>`;
    })
    .join("");
  const body = runs.length
    ? `<table><thead><tr><th>test</th><th>started</th><th>verdict</th><th></th></tr></thead><tbody>${rows}</tbody></table>`
    : `<p class="muted">No runs in this store yet. Start one with <code>faultline run</code>.</p>`;
  return page(
    "faultline runs",
    `<h1>faultline runs</h1><p class="muted">${h(root)}, newest first</p>${body}`,
  );
}

async function dirPage(root: string, dir: string, urlPath: string): Promise<string> {
  const entries = await readdir(dir, { withFileTypes: true });
  const rows = entries
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((e) => {
      const name = e.isDirectory() ? `${e.name}/` : e.name;
      return `<li><a href="${h(encodeURIComponent(e.name) + (e.isDirectory() ? "/" : ""))}">${h(name)}</a></li>`;
    })
    .join("");
  const rel = dir.slice(root.length) || "/";
  return page(
    `faultline: ${rel}`,
    `<p><a href="/">all runs</a></p><h1>${h(decodeURIComponent(urlPath))}</h1><ul>${rows}</ul>`,
  );
}

function send(res: ServerResponse, status: number, body: string, type = "text/plain; charset=utf-8"): void {
  res.writeHead(status, {
    "content-type": type,
    "x-content-type-options": "nosniff",
    "content-security-policy": CSP,
    "cache-control": "no-store",
  });
  res.end(body);
}

/** Resolves a URL path inside the store, or undefined when it would leave it. */
async function resolveInside(root: string, rootReal: string, urlPath: string): Promise<string | undefined> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes("\0") || decoded.includes("\\")) return undefined;
  if (decoded.split("/").some((seg) => seg === "..")) return undefined;
  const target = resolve(root, `.${decoded}`);
  if (target !== root && !target.startsWith(root + sep)) return undefined;
  // A symlink inside the store must not lead out of it (store/latest leads to a run: fine).
  let real: string;
  try {
    real = await realpath(target);
  } catch {
    return target; // does not exist: the caller answers 404
  }
  return real === rootReal || real.startsWith(rootReal + sep) ? real : undefined;
}

async function handle(
  root: string,
  rootReal: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  if (req.method !== "GET" && req.method !== "HEAD") return send(res, 405, "only GET and HEAD\n");
  // A page on another site could reach a loopback server through DNS rebinding; it would send its own Host.
  const hostHeader = (req.headers.host ?? "").replace(/:\d+$/, "");
  if (!isLoopback(hostHeader)) return send(res, 403, "forbidden: Host must be a loopback address\n");
  const rawPath = (req.url ?? "/").split("?")[0];
  if (rawPath === "/" || rawPath === "")
    return send(res, 200, await indexPage(root), "text/html; charset=utf-8");
  const target = await resolveInside(root, rootReal, rawPath);
  if (!target) return send(res, 403, "forbidden: path leaves the store\n");
  let st: Awaited<ReturnType<typeof stat>>;
  try {
    st = await stat(target);
  } catch {
    return send(res, 404, "not found\n");
  }
  if (st.isDirectory()) {
    if (!rawPath.endsWith("/")) {
      res.writeHead(301, { location: `${rawPath}/` });
      res.end();
      return;
    }
    return send(res, 200, await dirPage(rootReal, target, rawPath), "text/html; charset=utf-8");
  }
  if (!st.isFile()) return send(res, 403, "forbidden: not a regular file\n");
  res.writeHead(200, {
    "content-type": TYPES[extname(target).toLowerCase()] ?? "application/octet-stream",
    "content-length": st.size,
    "x-content-type-options": "nosniff",
    "content-security-policy": CSP,
    "cache-control": "no-store",
  });
  if (req.method === "HEAD") {
    res.end();
    return;
  }
  createReadStream(target)
    .on("error", () => res.destroy())
    .pipe(res);
}

/** Starts the server; resolves once it listens. Refuses a non-loopback host. */
export async function serveStore(storeDir: string, options: ServeOptions = {}): Promise<StoreServer> {
  const host = options.host ?? "127.0.0.1";
  if (!isLoopback(host)) {
    throw new Error(
      `serve: refusing to listen on ${host}: the store holds raw database output; use a loopback address such as 127.0.0.1`,
    );
  }
  const root = resolve(storeDir);
  let rootReal: string;
  try {
    rootReal = await realpath(root);
    if (!(await stat(rootReal)).isDirectory()) throw new Error("not a directory");
  } catch (e) {
    throw new Error(
      `serve: store ${root} is not a readable directory (${(e as Error).message}); run a test first or pass the store path`,
    );
  }
  const server: Server = createServer((req, res) => {
    handle(rootReal, rootReal, req, res).catch((e: Error) => {
      if (!res.headersSent) send(res, 500, `internal error: ${e.message}\n`);
      else res.destroy();
    });
  });
  await new Promise<void>((ok, fail) => {
    server.once("error", fail);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", fail);
      ok();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(":") ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}/`,
    port,
    close: () =>
      new Promise<void>((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
      }),
  };
}
