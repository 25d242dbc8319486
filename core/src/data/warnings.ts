import type { LoadWarning } from './dataset';

/** How many warnings a load keeps; the rest are only counted, so a broken 1 GB file stays cheap. */
export const MAX_STORED_WARNINGS = 100;

/** Collects load warnings up to a cap and counts the ones it drops. */
export class WarningCollector {
  readonly warnings: LoadWarning[] = [];
  total = 0;

  constructor(private readonly max = MAX_STORED_WARNINGS) {}

  add(file: string, line: number, message: string): void {
    this.total++;
    if (this.warnings.length < this.max) this.warnings.push({ file, line, message });
  }

  /** The stored warnings, plus one summary line when some were dropped. */
  result(): LoadWarning[] {
    const out = this.warnings.slice();
    const omitted = this.total - this.warnings.length;
    if (omitted > 0) {
      out.push({ file: '', line: 0, message: `${omitted} more warning${omitted === 1 ? '' : 's'} not shown (${this.total} in total)` });
    }
    return out;
  }
}
