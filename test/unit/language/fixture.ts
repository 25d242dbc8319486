import { Workspace } from '../../../core/src/workspace';
import type { WorkspaceFile } from '../../../core/src/workspace';
import type { FieldSample, SampleValues } from '../../../core/src/language/sampleValues';

/**
 * Splits a caret marker (`|`) out of fixture text: the text without it and the caret's offset.
 * A `|` that opens a YAML block scalar (`key: |` at the end of a line) is text, not the caret.
 */
export function caret(marked: string): { text: string; offset: number } {
  const carets: number[] = [];
  for (let i = marked.indexOf('|'); i >= 0; i = marked.indexOf('|', i + 1)) {
    const header = /[:-] $/.test(marked.slice(Math.max(0, i - 2), i)) && /^[-+0-9]*[ \t]*(#[^\n]*)?(\n|$)/.test(marked.slice(i + 1));
    if (!header) carets.push(i);
  }
  if (carets.length !== 1) throw new Error(`fixture needs exactly one | caret, found ${carets.length}`);
  const offset = carets[0];
  return { text: marked.slice(0, offset) + marked.slice(offset + 1), offset };
}

export const DATAVIEW = [
  'dataview: web',
  'title: Web events',
  'timestamp: timestamp',
  'sources:',
  '  - file: e.ndjson',
  '    person: ecid',
  '    namespace: ECID',
  'dimensions:',
  '  page_name:',
  '    type: string',
  '    field: web.page.name',
  '    description: Name of the page.',
  '  event_type: string',
  '  visit_number: number',
  'metrics:',
  '  revenue:',
  '    description: Order revenue.',
  '  orders:',
  '',
].join('\n');

/** A workspace of in-memory files (keys are paths under /ws). */
export function workspaceOf(files: Record<string, string>): Workspace {
  const ws = new Workspace(() => new Date('2026-11-28T00:00:00Z'));
  for (const [name, text] of Object.entries(files)) ws.set(`/ws/${name}`, text);
  return ws;
}

export function fileOf(ws: Workspace, name: string): WorkspaceFile {
  const f = ws.get(`/ws/${name}`);
  if (!f) throw new Error(`no file ${name}`);
  return f;
}

/** An in-memory sample-values provider. */
export function samplesOf(samples: Record<string, FieldSample>): SampleValues {
  return { sample: (_dv, field) => samples[field] };
}
