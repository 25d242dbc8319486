import type { OptionSpec } from './args';

/** Options several verbs share, declared once (see `CommandSpec`). */

export const DEFAULT_ENDPOINT = 'http://127.0.0.1:7410';
export const ENDPOINT_VARIABLE = 'AUDIENCE_FILTERS_ENDPOINT';
export const TOKEN_VARIABLE = 'AUDIENCE_FILTERS_TOKEN';

export const ROOT_OPTION: OptionSpec = {
  name: 'root',
  value: '<dir>',
  description: 'the workspace folder: data views and referenced filters are found under it, and sample files must lie inside it',
  default: 'the nearest folder, from the file upward, that holds a *.dataview.yaml',
};

export const ALLOW_OUTSIDE_OPTION: OptionSpec = {
  name: 'allow-outside',
  value: '<dir>',
  repeatable: true,
  description: 'also read sample files inside this folder, outside the workspace',
  default: 'none',
};

export const DATAVIEW_OPTION: OptionSpec = {
  name: 'dataview',
  value: '<id>',
  description: 'the data view of filters without a `dataview:` key',
  default: 'the only data view of the workspace',
};

export const MAX_ROWS_OPTION: OptionSpec = { name: 'max-rows', value: '<n>', description: 'load at most n events of the sample data (the first ones, in file order)', default: 'all' };

export function maxBadRowsOption(fallback: string): OptionSpec {
  return { name: 'max-bad-rows', value: '<n>', description: 'refuse to evaluate when more than n rows of the sample data were skipped', default: fallback };
}

export const ENDPOINT_OPTION: OptionSpec = {
  name: 'endpoint',
  value: '<url>',
  description: 'the profile endpoint (start a local one with `audience-filters endpoint --db audiences.db`)',
  default: DEFAULT_ENDPOINT,
  env: ENDPOINT_VARIABLE,
};

export const JSON_OPTION: OptionSpec = { name: 'json', description: 'print JSON instead of text' };

export const TOKEN_ENV = {
  name: TOKEN_VARIABLE,
  description: 'the endpoint token; a local endpoint prints `export AUDIENCE_FILTERS_TOKEN=…` when it starts (its admin token, in <db>.admin-token)',
};

export const SOURCE_OPTION: OptionSpec = {
  name: 'source',
  value: 'sample|warehouse',
  description: "evaluate on the data view's sample files, or where its `warehouse:` block says (the whole history; credentials from PGUSER / PGPASSWORD or CLICKHOUSE_USER / CLICKHOUSE_PASSWORD)",
  default: 'sample',
};

/** The options of every verb that evaluates a filter on its sample data. */
export const SAMPLE_OPTIONS: OptionSpec[] = [ROOT_OPTION, ALLOW_OUTSIDE_OPTION];
