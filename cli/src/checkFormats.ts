/** Machine formats of `check` for CI: SARIF 2.1.0 and GitHub Actions annotations. */
import { pathToFileURL } from 'url';
import { githubAnnotation } from '../../core/src/interop/githubAnnotations';
import { toSarif } from '../../core/src/interop/sarif';
import type { LocatedDiagnostic } from '../../core/src/interop/sarif';

export const TOOL_VERSION = '0.1.0';

/** The SARIF log of a check run, file paths relative to `cwd`. */
export function sarifOutput(diagnostics: LocatedDiagnostic[], cwd: string): string {
  return JSON.stringify(toSarif(diagnostics, { toolVersion: TOOL_VERSION, srcRoot: pathToFileURL(cwd).href }), null, 2);
}

/** One workflow command per diagnostic, then a summary notice line. */
export function githubOutput(diagnostics: LocatedDiagnostic[], fileCount: number): string[] {
  const errors = diagnostics.filter(d => d.severity === 'error').length;
  const warnings = diagnostics.filter(d => d.severity === 'warning').length;
  return [...diagnostics.map(githubAnnotation), `${fileCount} file${fileCount === 1 ? '' : 's'} checked: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}.`];
}
