/** The randomness a workload is handed; the harness backs it with its seeded PRNG so runs repeat. */
export interface Random {
  /** Uniform in [0, 1). */
  float(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
}
