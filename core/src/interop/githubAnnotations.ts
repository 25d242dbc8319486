/**
 * GitHub Actions workflow commands (`::error file=…,line=…::message`), one per diagnostic, so a
 * pull request shows each problem on its line. Escaping follows the runner's rules: in the message
 * `%`, `\r`, `\n`; in property values also `:` and `,`.
 */
import type { Severity } from '../diagnostics';
import type { LocatedDiagnostic } from './sarif';

const COMMAND: Record<Severity, 'error' | 'warning' | 'notice'> = { error: 'error', warning: 'warning', information: 'notice', hint: 'notice' };

export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export function githubAnnotation(d: LocatedDiagnostic): string {
  const props = [
    `file=${escapeProperty(d.file.replace(/\\/g, '/'))}`,
    `line=${d.range.start.line + 1}`,
    `col=${d.range.start.character + 1}`,
    `endLine=${d.range.end.line + 1}`,
    `endColumn=${d.range.end.character + 1}`,
    `title=${escapeProperty(d.code)}`,
  ];
  return `::${COMMAND[d.severity]} ${props.join(',')}::${escapeData(d.message)}`;
}
