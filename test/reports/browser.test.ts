/**
 * Loads real reports in headless Chromium (Debian's `chromium`, driven by playwright-core):
 * no console errors, no network, the charts drew, and hostile values run no script.
 * Skips loudly when Chromium is missing locally; fails under CI=true, where .ci/run installs it.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderReport } from "../../reports/html.ts";
import { serveStore } from "../../reports/serve.ts";
import { writeReports } from "../../reports/write.ts";
import { copyFixture, ELLE, makeHostile, REGISTER, readRunFolder } from "./fixtures.ts";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const available = existsSync(CHROMIUM);
const inCI = process.env.CI === "true";

if (!available && !inCI) {
  console.warn(
    `\n*** SKIPPING the report browser tests: no Chromium at ${CHROMIUM}. Install it with \`apt-get install chromium\` (or set CHROMIUM_PATH). ***\n`,
  );
}

describe.runIf(!available && inCI)("report in a browser (CI)", () => {
  it("needs Chromium under CI", () => {
    throw new Error(`CI=true but no Chromium at ${CHROMIUM}: .ci/run must apt-get install chromium`);
  });
});

interface Loaded {
  consoleErrors: string[];
  dialogs: string[];
  requests: string[];
  chartsDrawn: string | undefined;
  inkedCanvases: number;
  headline: string;
  title: string;
}

describe.runIf(available)("report in a browser", () => {
  let browser: Browser;
  let tmp: string;

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), "faultline-browser-"));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  async function load(html: string | URL, name: string): Promise<Loaded> {
    let url: string;
    if (html instanceof URL) url = html.href;
    else {
      const file = join(tmp, name);
      writeFileSync(file, html);
      url = `file://${file}`;
    }
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const out: Loaded = {
      consoleErrors: [],
      dialogs: [],
      requests: [],
      chartsDrawn: undefined,
      inkedCanvases: 0,
      headline: "",
      title: "",
    };
    page.on("console", (m) => {
      if (m.type() === "error") out.consoleErrors.push(m.text());
    });
    page.on("pageerror", (e) => out.consoleErrors.push(String(e)));
    page.on("dialog", (d) => {
      out.dialogs.push(d.message());
      void d.dismiss();
    });
    page.on("request", (r) => out.requests.push(r.url()));
    await page.goto(url);
    await page
      .waitForFunction(() => document.body.dataset.chartsDrawn !== undefined, undefined, { timeout: 10_000 })
      .catch(() => {});
    out.chartsDrawn = await page.evaluate(() => document.body.dataset.chartsDrawn);
    out.headline = (await page.locator('[data-testid="headline"]').textContent()) ?? "";
    out.title = (await page.locator("h1").textContent()) ?? "";
    // A canvas "drew" if a good share of its pixels are not blank.
    out.inkedCanvases = await page.evaluate(() => {
      let n = 0;
      for (const c of Array.from(document.querySelectorAll("canvas"))) {
        const ctx = c.getContext("2d");
        if (!ctx || !c.width || !c.height) continue;
        const px = ctx.getImageData(0, 0, c.width, c.height).data;
        let inked = 0;
        for (let i = 3; i < px.length; i += 4) if (px[i] > 0) inked++;
        if (inked > 500) n++;
      }
      return n;
    });
    await page.close();
    return out;
  }

  it("draws the register report's charts with no errors and no network", async () => {
    const run = await readRunFolder(REGISTER);
    const conflicts = [1, 2, 3].map((i) => ({ t: i * 3e9, kind: "conflicts", region: "eu-west", count: i }));
    const html = renderReport({ ...run, metrics: [...(run.metrics ?? []), ...conflicts] });
    const r = await load(html, "register.html");
    expect(r.consoleErrors).toEqual([]);
    expect(r.requests.filter((u) => !u.startsWith("file://") && !u.startsWith("data:"))).toEqual([]);
    // Two latency charts (us-east, eu-west), the replication lag chart, the conflicts chart.
    expect(r.chartsDrawn).toBe("4");
    expect(r.inkedCanvases).toBe(4);
    expect(r.headline).toMatch(/^Not linearizable: \d+ stale reads served by eu-west/);
  });

  it("runs no injected script from hostile values", async () => {
    for (const [dir, name] of [
      [REGISTER, "hostile-register.html"],
      [ELLE, "hostile-elle.html"],
    ] as const) {
      const r = await load(renderReport(makeHostile(await readRunFolder(dir))), name);
      expect(r.dialogs, name).toEqual([]);
      expect(r.consoleErrors, name).toEqual([]);
      expect(
        r.requests.filter((u) => !u.startsWith("file://") && !u.startsWith("data:")),
        name,
      ).toEqual([]);
      // The hostile test name shows as text: rendered, and inert.
      expect(r.title, name).toContain("<script>alert(1)</script>");
    }
  });

  it("draws the same report served by `faultline serve` (its CSP allows the inline charts)", async () => {
    const run = copyFixture(REGISTER);
    const server = await serveStore(join(run.dir, "..", ".."));
    try {
      await writeReports(run.dir);
      const r = await load(
        new URL("pg-async-replica/20261123T120000.000Z/report.html", server.url),
        "served",
      );
      expect(r.consoleErrors).toEqual([]);
      expect(r.chartsDrawn).toBe("3");
      expect(r.inkedCanvases).toBe(3);
    } finally {
      await server.close();
      run.cleanup();
    }
  });
});
