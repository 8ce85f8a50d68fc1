/**
 * `npm run docker:images`: builds (or finds) every image the docker backend and the compose
 * layout use, printing progress and timings: what CI runs once before the tests, and what a user
 * runs before `docker compose up -d`.
 */
import { ensurePostgresImage, ensureProxyImage } from "./images.ts";

const t0 = performance.now();
const progress = (m: string) => console.log(`[${((performance.now() - t0) / 1000).toFixed(1)}s] ${m}`);
try {
  const pg = await ensurePostgresImage(progress);
  const proxy = await ensureProxyImage(progress);
  progress(`images ready: ${pg}, ${proxy} (also tagged :latest)`);
} catch (err) {
  console.error(`faultline: building the images failed: ${(err as Error).message}`);
  process.exit(3);
}
