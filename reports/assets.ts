/**
 * Files the report inlines (it must open with no network): uPlot's script and stylesheet from
 * node_modules, and the report's own stylesheet and chart script. Read once per process.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

export interface ReportAssets {
  uplotJs: string;
  uplotCss: string;
  chartsJs: string;
  reportCss: string;
}

let cached: ReportAssets | undefined;

function read(url: URL | string, what: string): string {
  try {
    return readFileSync(url, "utf8");
  } catch (e) {
    throw new Error(`report: cannot read ${what} (${String(url)}): ${(e as Error).message}; run npm install`);
  }
}

/** Text that goes inside <script> or <style>: no sequence may close the element early. */
function inlineSafe(text: string, tag: "script" | "style"): string {
  return text.replace(new RegExp(`</(${tag})`, "gi"), "<\\/$1");
}

export function reportAssets(): ReportAssets {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  let uplotDir: string;
  try {
    uplotDir = require.resolve("uplot/dist/uPlot.iife.min.js").replace(/uPlot\.iife\.min\.js$/, "");
  } catch {
    throw new Error("report: the uplot package is not installed (node_modules/uplot); run npm install");
  }
  cached = {
    uplotJs: inlineSafe(read(`${uplotDir}uPlot.iife.min.js`, "uPlot"), "script"),
    uplotCss: inlineSafe(read(`${uplotDir}uPlot.min.css`, "uPlot's stylesheet"), "style"),
    chartsJs: inlineSafe(read(new URL("./browser/charts.js", import.meta.url), "the chart script"), "script"),
    reportCss: inlineSafe(
      read(new URL("./browser/report.css", import.meta.url), "the report stylesheet"),
      "style",
    ),
  };
  return cached;
}
