import type { Diagnostic } from '../../core/src/diagnostics';
import type { CommandIO } from './io';

/**
 * Terminal presentation of text output: colour and a code frame with a caret under the fault.
 * Only for text output on a terminal (or with FORCE_COLOR); NO_COLOR turns colour off, also
 * over FORCE_COLOR (https://no-color.org); machine formats (json, sarif, github) never get either.
 */
export interface Presentation {
  color: boolean;
  frame: boolean;
}

export function presentationOf(io: CommandIO, machineFormat: boolean): Presentation {
  if (machineFormat) return { color: false, frame: false };
  const env = io.env ?? process.env;
  const force = !!env.FORCE_COLOR && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  const color = !env.NO_COLOR && (force || io.isTTY === true);
  return { color, frame: io.isTTY === true || force };
}

const CODES = { red: 31, yellow: 33, cyan: 36, dim: 2, bold: 1 } as const;

export function paint(p: Presentation, style: keyof typeof CODES, text: string): string {
  return p.color ? `\u001b[${CODES[style]}m${text}\u001b[0m` : text;
}

export function severityText(p: Presentation, severity: Diagnostic['severity']): string {
  return severity === 'error' ? paint(p, 'red', 'error') : severity === 'warning' ? paint(p, 'yellow', 'warning') : severity;
}

/**
 * The line of the diagnostic with a caret run under its range (to the end of the first line when
 * the range spans lines), and the line before it for context.
 */
export function codeFrame(p: Presentation, text: string, range: Diagnostic['range']): string[] {
  const lines = text.split(/\r?\n/);
  const line = range.start.line;
  if (line >= lines.length) return [];
  const width = String(line + 1).length;
  const gutter = (n: number | '') => paint(p, 'dim', `${String(n).padStart(width)} | `);
  const out: string[] = [];
  if (line > 0) out.push(`  ${gutter(line)}${lines[line - 1]}`);
  const src = lines[line];
  out.push(`  ${gutter(line + 1)}${src}`);
  const end = range.end.line === line ? Math.max(range.end.character, range.start.character + 1) : Math.max(src.length, range.start.character + 1);
  const lead = src.slice(0, range.start.character).replace(/[^\t]/g, ' ');
  out.push(`  ${gutter('')}${lead}${paint(p, 'red', '^'.repeat(end - range.start.character))}`);
  return out;
}
