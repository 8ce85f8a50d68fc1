/**
 * Tests that need something from the system (a Debian package, root). Locally, a missing
 * requirement skips the suite with a loud message; under CI=true it fails the run, because CI's
 * .ci/run installs everything and a skip there would hide a broken install step.
 */
export function requirement(what: string, present: boolean, howToGet: string): boolean {
  if (present) return true;
  const message = `MISSING ${what}: ${howToGet}`;
  if (process.env.CI === "true" || process.env.CI === "1") {
    throw new Error(`${message} (CI=true: a missing dependency is a failure, not a skip)`);
  }
  console.warn(`\n*** SKIPPING: ${message} ***\n`);
  return false;
}
