/** Where a command writes; the real process in main.ts, a buffer in tests of the command functions. */
export interface CommandIO {
  cwd: string;
  out(line: string): void;
  err(line: string): void;
  /** Resolves when what `out` wrote has been taken by the reader (backpressure for long outputs). */
  drain?(): Promise<void> | void;
}
