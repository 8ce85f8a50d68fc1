/**
 * Reads a run folder (test.json, history.jsonl, results.json, optional metrics.jsonl) and writes
 * its reports beside them: report.html, junit.xml, summary.md. Used by `faultline report <run-dir>`
 * and at the end of every run.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { History, Op } from "../checkers/history/op.ts";
import type { Results } from "../checkers/verdict.ts";
import { renderReport } from "./html.ts";
import { renderJUnit } from "./junit.ts";
import { renderSummary } from "./summary.ts";

export class ReportInputError extends Error {
  override name = "ReportInputError";
}

export interface RunFolderContents {
  test: unknown;
  results: Results;
  history: History;
  metrics?: object[];
}

async function readText(path: string, what: string, optional: boolean): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (optional && code === "ENOENT") return undefined;
    const why = code === "ENOENT" ? "is missing" : `cannot be read (${(e as Error).message})`;
    throw new ReportInputError(`${path} ${why}: a run folder needs ${what} to make a report`);
  }
}

function parseJson(text: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ReportInputError(`${path} is not valid JSON: ${(e as Error).message}`);
  }
}

/** One JSON object per line; blank lines skipped; a bad line is named by its number. */
function parseJsonLines(text: string, path: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const lines = text.split("\n");
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch (e) {
      // A run killed mid-write leaves a partial last line: the rest of the file is still good.
      if (i >= lines.length - 2 && !text.endsWith("\n")) return;
      throw new ReportInputError(`${path}:${i + 1}: not valid JSON (${(e as Error).message})`);
    }
    if (!v || typeof v !== "object" || Array.isArray(v)) {
      throw new ReportInputError(
        `${path}:${i + 1}: expected a JSON object, got ${JSON.stringify(v)?.slice(0, 40)}`,
      );
    }
    out.push(v as Record<string, unknown>);
  });
  return out;
}

const TYPES = new Set(["invoke", "ok", "fail", "info"]);

function toHistory(rows: Record<string, unknown>[], path: string): History {
  return rows.map((r, i) => {
    if (!TYPES.has(r.type as string)) {
      throw new ReportInputError(
        `${path}: op ${i + 1} has type ${JSON.stringify(r.type)}; expected invoke, ok, fail or info`,
      );
    }
    if (r.process === undefined) throw new ReportInputError(`${path}: op ${i + 1} has no process`);
    return { ...r, index: typeof r.index === "number" ? r.index : i, f: String(r.f ?? "txn") } as Op;
  });
}

function checkResults(v: unknown, path: string): Results {
  const r = v as Partial<Results> | null;
  if (!r || typeof r !== "object" || !("valid" in r) || !r.checkers || typeof r.checkers !== "object") {
    throw new ReportInputError(
      `${path}: expected {"valid", "anomalyTypes", "checkers": {...}} (checkers/verdict.ts Results)`,
    );
  }
  for (const [name, c] of Object.entries(r.checkers)) {
    if (!c || typeof c !== "object") throw new ReportInputError(`${path}: checker ${name} is not an object`);
    c.anomalies = Array.isArray(c.anomalies) ? c.anomalies : [];
    c.anomalyTypes = Array.isArray(c.anomalyTypes) ? c.anomalyTypes : [];
  }
  return {
    valid: r.valid!,
    anomalyTypes: r.anomalyTypes ?? [],
    checkers: r.checkers,
    signals: r.signals ?? {},
    ...(r.expectation ? { expectation: r.expectation } : {}),
  };
}

/** Reads and checks a run folder's inputs; errors name the file (and line) that is missing or broken. */
export async function readRunFolder(runDir: string): Promise<RunFolderContents> {
  const dir = resolve(runDir);
  const p = (f: string) => join(dir, f);
  const [testText, historyText, resultsText, metricsText] = await Promise.all([
    readText(p("test.json"), "test.json (the test's config)", false),
    readText(p("history.jsonl"), "history.jsonl (the recorded operations)", false),
    readText(p("results.json"), "results.json (the checkers' verdicts; run `faultline check` first)", false),
    readText(p("metrics.jsonl"), "metrics.jsonl", true),
  ]);
  return {
    test: parseJson(testText!, p("test.json")),
    history: toHistory(parseJsonLines(historyText!, p("history.jsonl")), p("history.jsonl")),
    results: checkResults(parseJson(resultsText!, p("results.json")), p("results.json")),
    metrics: metricsText === undefined ? undefined : parseJsonLines(metricsText, p("metrics.jsonl")),
  };
}

/** Renders report.html, junit.xml and summary.md into the run folder; returns their paths. */
export async function writeReports(
  runDir: string,
): Promise<{ html: string; junit: string; summary: string }> {
  const dir = resolve(runDir);
  const input = await readRunFolder(dir);
  const out = {
    html: join(dir, "report.html"),
    junit: join(dir, "junit.xml"),
    summary: join(dir, "summary.md"),
  };
  await Promise.all([
    writeFile(out.html, renderReport({ ...input, runDir: dir.split(/[\\/]/).slice(-2).join("/") })),
    writeFile(out.junit, renderJUnit(input.results, input.test, input.history)),
    writeFile(out.summary, renderSummary(input.results, input.test, input.history)),
  ]);
  return out;
}
