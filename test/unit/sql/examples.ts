/**
 * The example workspace (examples/) as the SQL tests use it: its data view and loaded dataset,
 * and per filter file the rule, the period window (ending at the newest event) and the engine's
 * audience. Shared by every dialect's example tests.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Dataset } from '../../../core/src/data/dataset';
import { loadDataView } from '../../../core/src/data/load';
import type { DataView } from '../../../core/src/dataview/model';
import { evaluateFilter } from '../../../core/src/engine';
import type { Identity } from '../../../core/src/engine';
import { parseDataViewFile } from '../../../core/src/files/dataviewFile';
import { parseFilterFile, periodWindow } from '../../../core/src/files/filterFile';
import type { Rule } from '../../../core/src/rule/ast';
import { REPO_ROOT } from './sqlHarness';

export const EXAMPLES_DIR = path.join(REPO_ROOT, 'examples');

/** The example filter files' names, sorted. */
export const EXAMPLE_FILTERS = fs.existsSync(path.join(EXAMPLES_DIR, 'filters')) ? fs.readdirSync(path.join(EXAMPLES_DIR, 'filters')).filter(f => f.endsWith('.filter.yaml')).sort() : [];

export interface ExampleCase {
  rule: Rule;
  window: { from: number; to: number } | undefined;
  resolveFilter: (id: string) => Rule | undefined;
  expected: Identity[];
}

export interface Examples {
  dataView: DataView;
  ds: Dataset;
  /** One example filter file: its rule, window, references and the engine's audience. */
  case(file: string): ExampleCase;
}

const parse = (f: string) => parseFilterFile(path.join(EXAMPLES_DIR, 'filters', f), fs.readFileSync(path.join(EXAMPLES_DIR, 'filters', f), 'utf8'));

export async function loadExamples(): Promise<Examples> {
  const dvPath = path.join(EXAMPLES_DIR, 'web.dataview.yaml');
  const dataView = parseDataViewFile(dvPath, fs.readFileSync(dvPath, 'utf8')).dataView!;
  const ds = await loadDataView(dataView);
  let newest = 0;
  for (let i = 0; i < ds.eventCount; i++) newest = Math.max(newest, ds.timestamps[i]);
  const rules = new Map<string, Rule>();
  for (const f of EXAMPLE_FILTERS) {
    const file = parse(f);
    if (file.id && file.rule) rules.set(file.id.value, file.rule);
  }
  const resolveFilter = (id: string) => rules.get(id);
  return {
    dataView,
    ds,
    case(f) {
      const file = parse(f);
      if (!file.rule?.root) throw new Error(`${f} has no rule`);
      const window = periodWindow(file.period, newest);
      const expected = evaluateFilter(file.rule, { dataView, dataset: ds, resolveFilter, window }).audience;
      return { rule: file.rule, window, resolveFilter, expected };
    },
  };
}
