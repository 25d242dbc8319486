/** Where a command writes; the real process in main.ts, a buffer in tests of the command functions. */
export interface CommandIO {
  cwd: string;
  out(line: string): void;
  err(line: string): void;
  /** Resolves when what `out` wrote has been taken by the reader (backpressure for long outputs). */
  drain?(): Promise<void> | void;
  /** True when stdout is a terminal (colour and code frames); false or absent in pipes and tests. */
  isTTY?: boolean;
  /** The environment (NO_COLOR, FORCE_COLOR, AUDIENCE_FILTERS_*); process.env when absent. */
  env?: NodeJS.ProcessEnv;
}
