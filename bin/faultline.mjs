#!/usr/bin/env node
// Runs the TypeScript sources directly (tsx), so `npx faultline` works from a clone without a build step.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../harness/cli.ts");
process.exitCode = await main(process.argv);
