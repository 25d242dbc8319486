/** Shared fixtures of the engine tests: a data view, compact event records, rules from text. */
import * as assert from 'node:assert/strict';
import { datasetFromRecords } from '../../../core/src/data/build';
import type { Dataset } from '../../../core/src/data/dataset';
import type { DataView, Identity } from '../../../core/src/dataview/model';
import { evaluateFilter, type EvaluationContext, type EvaluationResult } from '../../../core/src/engine';
import type { Rule } from '../../../core/src/rule/ast';
import { parseRule } from '../../../core/src/rule/parser';

export const dataView: DataView = {
  id: 'web',
  uri: '/fixtures/web.dataview.yaml',
  timestampField: 'ts',
  sessionTimeoutMinutes: 30,
  files: [],
  dimensions: [
    { name: 'page', type: 'string', field: 'page', adobeId: 'variables/page' },
    { name: 'category', type: 'string', field: 'category', adobeId: 'variables/category' },
    { name: 'price', type: 'number', field: 'price', adobeId: 'variables/price' },
  ],
  metrics: [
    { name: 'revenue', field: 'revenue', adobeId: 'metrics/revenue' },
    { name: 'orders', field: 'orders', adobeId: 'metrics/orders' },
  ],
};

export interface EventRecord {
  person_id: string;
  ts: string;
  [field: string]: unknown;
}

/** `ev('p1', '10:00', { page: 'A' })`: an event on 2026-10-01 (or give a full ISO time). */
export function ev(person: string, time: string, fields: Record<string, unknown> = {}): EventRecord {
  const ts = time.length <= 5 ? `2026-10-01T${time}:00Z` : time;
  return { person_id: person, ts, ...fields };
}

/** Events of one person with one `page` each, one minute apart from 10:00 (one session). */
export function pages(person: string, names: string[], startMinute = 0): EventRecord[] {
  return names.map((page, k) => {
    const m = startMinute + k;
    return ev(person, `${String(10 + Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`, { page });
  });
}

export function dataset(records: EventRecord[], identity: Identity = { personField: 'person_id', namespace: 'ECID' }): Dataset {
  const ds = datasetFromRecords(records, dataView, identity);
  assert.deepEqual(ds.warnings, []);
  return ds;
}

export function rule(text: string): Rule {
  const { rule: r, diagnostics } = parseRule(text);
  const errors = diagnostics.filter((d) => d.severity === 'error');
  assert.deepEqual(errors, [], `rule ${JSON.stringify(text)} has syntax errors`);
  return r;
}

export interface Outcome {
  people: string[];
  sessions: number;
  events: number;
  result: EvaluationResult;
  /** Returned events of each matched person, as the given field's values in order. */
  returned: Record<string, unknown[]>;
}

export function run(text: string, records: EventRecord[], extra: Partial<EvaluationContext> = {}, field = 'page'): Outcome {
  const ds = dataset(records);
  const result = evaluateFilter(rule(text), { dataView, dataset: ds, ...extra });
  const returned: Record<string, unknown[]> = {};
  const col = ds.columns.get(field);
  for (let i = 0; i < ds.eventCount; i++) {
    if (!result.eventMask[i]) continue;
    const id = ds.personIds[ds.person[i]];
    let v: unknown = null;
    if (col?.kind === 'string') v = col.codes[i] >= 0 ? col.dictionary[col.codes[i]] : null;
    else if (col) v = Number.isNaN(col.values[i]) ? null : col.values[i];
    (returned[id] ??= []).push(v);
  }
  return { people: result.audience.map((a) => a.id), sessions: result.matched.sessions, events: result.matched.events, result, returned };
}

/** Person ids matched by a rule. */
export function who(text: string, records: EventRecord[], extra: Partial<EvaluationContext> = {}): string[] {
  return run(text, records, extra).people;
}
