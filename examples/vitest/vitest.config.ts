// This example's own vitest config (run here, `npx vitest run` finds it before faultline's).
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: { include: ["*.test.ts"], testTimeout: 180_000 },
});
