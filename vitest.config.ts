import { defineConfig } from "vitest/config";

export default defineConfig({
  // `import ... from "faultline"` (the programmatic API, as examples/ use it) means the sources here.
  resolve: { alias: { faultline: new URL("./harness/api.ts", import.meta.url).pathname } },
  test: {
    include: ["test/**/*.test.ts", "examples/vitest/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration tests start real servers on a 2-core machine: keep parallelism modest.
    maxWorkers: 2,
    // Tests exercise the TypeScript sources: the CLI they spawn must not run a stale dist/ build.
    env: { FAULTLINE_FROM_SOURCE: "1" },
  },
});
