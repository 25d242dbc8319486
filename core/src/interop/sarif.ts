/**
 * SARIF 2.1.0 output of `check` (for GitHub code scanning and other SARIF viewers): one run, the
 * tool's rules (every catalogued diagnostic code, plus any other code reported), and one result
 * per diagnostic with a 1-based region. Columns count UTF-16 code units, as the editor's
 * positions do, and the run says so with `columnKind: utf16CodeUnits`.
 */
import type { Diagnostic, Severity } from '../diagnostics';
import { DIAGNOSTIC_CODES, DOCS_LANGUAGE_PATH } from '../diagnosticCodes';

export interface LocatedDiagnostic extends Diagnostic {
  /** File path relative to the repository root (forward slashes), as SARIF viewers expect. */
  file: string;
}

export interface SarifOptions {
  toolVersion: string;
  /** Absolute URI of the folder `file` paths are relative to (`%SRCROOT%`), when known. */
  srcRoot?: string;
}

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', information: 'note', hint: 'note' };

function ruleFor(id: string): Record<string, unknown> {
  const text = DIAGNOSTIC_CODES[id]?.when ?? `Diagnostic ${id}.`;
  return { id, name: id.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase()), shortDescription: { text }, help: { text: `${text} See ${DOCS_LANGUAGE_PATH}#${id} in the Audience Filters repository.`, markdown: `${text} See [${id}](${DOCS_LANGUAGE_PATH}#${id}).` } };
}

export function toSarif(diagnostics: LocatedDiagnostic[], options: SarifOptions): Record<string, unknown> {
  const ids = [...new Set([...Object.keys(DIAGNOSTIC_CODES), ...diagnostics.map(d => d.code)])];
  const index = new Map(ids.map((id, i) => [id, i]));
  const results = diagnostics.map(d => ({
    ruleId: d.code,
    ruleIndex: index.get(d.code),
    level: LEVEL[d.severity],
    message: { text: d.message },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: encodeURI(d.file.replace(/\\/g, '/')), ...(options.srcRoot ? { uriBaseId: '%SRCROOT%' } : {}) },
          region: {
            startLine: d.range.start.line + 1,
            startColumn: d.range.start.character + 1,
            endLine: d.range.end.line + 1,
            endColumn: d.range.end.character + 1,
          },
        },
      },
    ],
  }));
  const run: Record<string, unknown> = {
    tool: {
      driver: {
        name: 'audience-filters',
        version: options.toolVersion,
        rules: ids.map(ruleFor),
      },
    },
    columnKind: 'utf16CodeUnits',
    results,
  };
  if (options.srcRoot) run.originalUriBaseIds = { '%SRCROOT%': { uri: options.srcRoot.endsWith('/') ? options.srcRoot : `${options.srcRoot}/` } };
  return { $schema: 'https://json.schemastore.org/sarif-2.1.0.json', version: '2.1.0', runs: [run] };
}
