import type { Problem } from '../diagnostics';
import type { Rule } from '../rule/ast';
import { parseRule } from '../rule/parser';
import { getPair } from '../yaml/yamlTree';
import { RuleSource } from './ruleSource';
import { parseSourceFile, scalarAt, stringAt } from './sourceFile';
import type { Located, SourceFileBase } from './sourceFile';

/** The evaluation window: relative to the newest event of the data, or fixed UTC dates. */
export type Period =
  | { kind: 'last'; count: number; unit: 'day' | 'week' | 'month' }
  | { kind: 'range'; from: number; to: number };

export interface AudienceSpec {
  name: string;
  description?: string;
  refresh: string;
  lookbackDays: number;
  /** `range: {from, to}` of a one-time audience (`refresh: once`): epoch ms, `to` exclusive. */
  range?: { from: number; to: number };
  expires?: string;
  namespaces?: string[];
  tags?: string[];
}

export interface FilterFile extends SourceFileBase {
  kind: 'filter';
  id?: Located<string>;
  title?: string;
  description?: string;
  dataview?: Located<string>;
  tags: string[];
  period?: Period;
  audience?: AudienceSpec;
  ruleSource?: RuleSource;
  rule?: Rule;
}

const DAY_MS = 86_400_000;
export const MAX_LOOKBACK_DAYS = 90;
export const DEFAULT_LOOKBACK_DAYS = 30;
export const MAX_EXPIRY_MONTHS = 13;

export function parseFilterFile(uri: string, text: string, now: Date = new Date()): FilterFile {
  const base = parseSourceFile(uri, text, 'filter');
  const root = base.yaml.root;
  const file: FilterFile = { ...base, kind: 'filter', tags: [] };
  if (!root || root.kind !== 'map') return file;
  file.id = stringAt(root, 'filter');
  file.dataview = stringAt(root, 'dataview');
  file.title = stringAt(root, 'title')?.value;
  file.description = stringAt(root, 'description')?.value;
  const tags = getPair(root, 'tags')?.value;
  if (tags && tags.kind === 'seq') file.tags = tags.items.flatMap(t => (t.kind === 'scalar' && t.value !== null ? [String(t.value)] : []));
  file.period = readPeriod(root, file.problems);
  file.audience = readAudience(root, file.problems, now);

  const ruleScalar = scalarAt(root, 'rule');
  if (ruleScalar && typeof ruleScalar.value === 'string') {
    const source = RuleSource.fromScalar(text, ruleScalar);
    file.ruleSource = source;
    const parsed = parseRule(source.text);
    file.rule = parsed.rule;
    for (const d of parsed.diagnostics) {
      const start = source.toFile(d.start);
      const end = Math.max(start, source.toFile(d.end));
      const problem: Problem = { start, end, severity: d.severity, code: d.code, message: d.message };
      if (d.data) {
        problem.data = {};
        if (d.data.replacements) problem.data.replacements = d.data.replacements;
        if (d.data.ruleEdits && source.exact) {
          problem.data.edits = d.data.ruleEdits.map(e => ({ range: file.lines.range(source.toFile(e.start), source.toFile(e.end)), newText: e.newText }));
        }
      }
      file.problems.push(problem);
    }
  }
  return file;
}

function readPeriod(root: Parameters<typeof getPair>[0], problems: Problem[]): Period | undefined {
  const node = getPair(root, 'period')?.value;
  if (!node) return undefined;
  if (node.kind === 'scalar') {
    const m = /^last ([1-9][0-9]*) (day|days|week|weeks|month|months)$/.exec(String(node.value));
    if (!m) return undefined; // the schema reports the shape
    const unit = m[2].replace(/s$/, '') as 'day' | 'week' | 'month';
    return { kind: 'last', count: Number(m[1]), unit };
  }
  if (node.kind !== 'map') return undefined;
  const from = stringAt(node, 'from');
  const to = stringAt(node, 'to');
  if (!from || !to) return undefined;
  const f = parseDate(from, problems);
  const t = parseDate(to, problems);
  if (f === undefined || t === undefined) return undefined;
  if (t <= f) {
    problems.push({ start: to.start, end: to.end, severity: 'error', code: 'filter-bad-period', message: `The period ends (${to.value}) before it starts (${from.value}): \`to\` is exclusive and must be after \`from\`.` });
    return undefined;
  }
  return { kind: 'range', from: f, to: t };
}

/** Parses a YYYY-MM-DD date as UTC midnight; reports impossible dates such as 2026-02-30. */
export function parseDate(d: Located<string>, problems: Problem[]): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(d.value);
  if (!m) return undefined;
  const [y, mo, da] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = Date.UTC(y, mo - 1, da);
  const back = new Date(t);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== da) {
    problems.push({ start: d.start, end: d.end, severity: 'error', code: 'filter-bad-date', message: `\`${d.value}\` is not a date of the calendar.` });
    return undefined;
  }
  return t;
}

function readAudience(root: Parameters<typeof getPair>[0], problems: Problem[], now: Date): AudienceSpec | undefined {
  const node = getPair(root, 'audience')?.value;
  if (!node || node.kind !== 'map') return undefined;
  const name = stringAt(node, 'name');
  if (!name) return undefined;
  const lookback = stringAt(node, 'lookback');
  let lookbackDays = DEFAULT_LOOKBACK_DAYS;
  if (lookback) {
    const m = /^(\d+) days?$/.exec(lookback.value);
    if (m) {
      lookbackDays = Number(m[1]);
      if (lookbackDays > MAX_LOOKBACK_DAYS) {
        problems.push({ start: lookback.start, end: lookback.end, severity: 'error', code: 'audience-lookback-limit', message: `The lookback is ${lookbackDays} days; the profile store allows at most ${MAX_LOOKBACK_DAYS} days.`, data: { replacements: [`${MAX_LOOKBACK_DAYS} days`] } });
      }
    }
  }
  const expires = stringAt(node, 'expires');
  if (expires) {
    const t = parseDate(expires, problems);
    if (t !== undefined) {
      const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
      const limit = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + MAX_EXPIRY_MONTHS, now.getUTCDate());
      if (t <= today) problems.push({ start: expires.start, end: expires.end, severity: 'error', code: 'audience-expiry-limit', message: `The audience would expire on ${expires.value}, which is not in the future.` });
      else if (t > limit) problems.push({ start: expires.start, end: expires.end, severity: 'error', code: 'audience-expiry-limit', message: `The expiry ${expires.value} is more than ${MAX_EXPIRY_MONTHS} months ahead (latest: ${new Date(limit).toISOString().slice(0, 10)}).`, data: { replacements: [new Date(limit).toISOString().slice(0, 10)] } });
    }
  }
  const refresh = stringAt(node, 'refresh');
  const range = readAudienceRange(node, refresh, problems);
  const namespaces = getPair(node, 'namespaces')?.value;
  const tags = getPair(node, 'tags')?.value;
  const list = (n: typeof namespaces) => (n && n.kind === 'seq' ? n.items.flatMap(i => (i.kind === 'scalar' && i.value !== null ? [String(i.value)] : [])) : undefined);
  return {
    name: name.value,
    description: stringAt(node, 'description')?.value,
    refresh: refresh?.value ?? 'daily',
    lookbackDays,
    ...(range ? { range } : {}),
    expires: expires?.value,
    namespaces: list(namespaces),
    tags: list(tags),
  };
}

/**
 * `audience.range: {from, to}`: the fixed window of a one-time audience. Dates (UTC midnight) or
 * ISO times with a zone; `to` exclusive and after `from`; at most the lookback limit long; only
 * with `refresh: once` (a recurring audience re-evaluates over its lookback instead).
 */
function readAudienceRange(node: Parameters<typeof getPair>[0], refresh: Located<string> | undefined, problems: Problem[]): { from: number; to: number } | undefined {
  const pair = getPair(node, 'range');
  const value = pair?.value;
  if (!pair || !value || value.kind !== 'map') return undefined; // the schema reports the shape
  const from = stringAt(value, 'from');
  const to = stringAt(value, 'to');
  if (!from || !to) return undefined;
  const f = parseDateOrTime(from, problems);
  const t = parseDateOrTime(to, problems);
  if (f === undefined || t === undefined) return undefined;
  const keyStart = pair.key.start;
  const keyEnd = pair.key.end;
  if ((refresh?.value ?? 'daily') !== 'once') {
    problems.push({ start: keyStart, end: keyEnd, severity: 'error', code: 'audience-range-needs-once', message: `A date range makes a one-time audience: it needs \`refresh: once\` (the refresh is \`${refresh?.value ?? 'daily'}\`, which re-evaluates over the lookback).` });
    return undefined;
  }
  if (t <= f) {
    problems.push({ start: to.start, end: to.end, severity: 'error', code: 'filter-bad-period', message: `The range ends (${to.value}) before it starts (${from.value}): \`to\` is exclusive and must be after \`from\`.` });
    return undefined;
  }
  const days = (t - f) / DAY_MS;
  if (days > MAX_LOOKBACK_DAYS) {
    problems.push({ start: keyStart, end: keyEnd, severity: 'error', code: 'audience-lookback-limit', message: `The range spans ${Number.isInteger(days) ? days : days.toFixed(1)} days; the profile store looks back at most ${MAX_LOOKBACK_DAYS} days.` });
    return undefined;
  }
  return { from: f, to: t };
}

/** A `YYYY-MM-DD` date (UTC midnight) or an ISO time with a zone (`2026-11-01T08:00:00Z`, `…+02:00`). */
function parseDateOrTime(d: Located<string>, problems: Problem[]): number | undefined {
  if (/^\d{4}-\d{2}-\d{2}$/.test(d.value)) return parseDate(d, problems);
  const m = /^(\d{4}-\d{2}-\d{2})T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.exec(d.value);
  if (!m) return undefined; // the schema reports the shape
  const t = Date.parse(d.value);
  if (Number.isNaN(t) || parseDate({ ...d, value: m[1] }, []) === undefined) {
    problems.push({ start: d.start, end: d.end, severity: 'error', code: 'filter-bad-date', message: `\`${d.value}\` is not a time of the calendar.` });
    return undefined;
  }
  return t;
}

/** The evaluation window of a period, given the newest event time of the data. */
export function periodWindow(period: Period | undefined, newestEvent: number): { from: number; to: number } | undefined {
  if (!period) return undefined;
  if (period.kind === 'range') return { from: period.from, to: period.to };
  const end = Math.floor(newestEvent / DAY_MS) * DAY_MS + DAY_MS;
  if (period.unit === 'month') {
    const d = new Date(end);
    return { from: Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - period.count, d.getUTCDate()), to: end };
  }
  return { from: end - period.count * (period.unit === 'week' ? 7 : 1) * DAY_MS, to: end };
}
