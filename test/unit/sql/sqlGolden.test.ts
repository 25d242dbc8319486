/**
 * SQL per dialect as golden files (test/unit/interop/golden/<case>.<dialect>.sql), reviewed for
 * each engine's quoting, date arithmetic, LAG and LIKE escaping. DuckDB and PostgreSQL output is
 * also executed by sql.test.ts. `UPDATE_GOLDEN=1` rewrites the files after a reviewed change.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import type { DataView } from '../../../core/src/dataview/model';
import { compileToSql } from '../../../core/src/sql/compile';
import { SQL_DIALECTS } from '../../../core/src/sql/dialects';
import { parseRule } from '../../../core/src/rule/parser';
import { REPO_ROOT } from './sqlHarness';

const GOLDEN = path.join(REPO_ROOT, 'test', 'unit', 'sql', 'golden');

const view: DataView = {
  id: 'web',
  uri: '/fixtures/web.dataview.yaml',
  timestampField: 'timestamp',
  sessionTimeoutMinutes: 30,
  files: [],
  dimensions: [
    { name: 'page_name', type: 'string', field: 'page_name', adobeId: 'variables/page' },
    { name: 'campaign', type: 'string', field: 'marketing.campaign', adobeId: 'variables/campaign' },
  ],
  metrics: [{ name: 'orders', field: 'orders', adobeId: 'metrics/orders' }],
};

const CASES: Record<string, string> = {
  conditions: `person where page_name matches "Check*out\\\\*" and campaign contains "50%_off" ignoring case and orders >= 1`,
  sequence: `person where
  event where page_name = "Cart"
  then within 1 month
  event where page_name = "Checkout"
  then after 2 sessions
  event where orders > 0`,
  excludes: `person where
  event where page_name = "Checkout"
  then within 30 minutes
  exclude event where orders > 0`,
};

describe('SQL golden files per dialect', () => {
  for (const [name, text] of Object.entries(CASES)) {
    for (const dialect of SQL_DIALECTS) {
      it(`${name}.${dialect}.sql`, () => {
        const { rule, diagnostics } = parseRule(text);
        assert.deepEqual(diagnostics.filter(d => d.severity === 'error'), []);
        const r = compileToSql(rule, view, { dialect, table: 'analytics.events', orderColumn: 'event_order' });
        const file = path.join(GOLDEN, `${name}.${dialect}.sql`);
        const actual = r.sql ? `${r.sql};\n` : `-- does not compile\n${r.problems.map(p => `-- ${p.code}: ${p.message}`).join('\n')}\n`;
        if (process.env.UPDATE_GOLDEN) fs.writeFileSync(file, actual);
        assert.equal(actual, fs.readFileSync(file, 'utf8'));
      });
    }
  }
});
