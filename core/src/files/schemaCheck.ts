import * as fs from 'fs';
import * as path from 'path';
import Ajv2020 from 'ajv/dist/2020';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { nodeAtPointer, toJS } from '../yaml/yamlTree';
import type { YNode } from '../yaml/yamlTree';
import { closestMatches } from '../names';

/** A schema finding, in file offsets. */
export interface SchemaProblem {
  start: number;
  end: number;
  code: 'schema-unknown-key' | 'schema-missing-key' | 'schema-type' | 'schema-value';
  message: string;
  replacements?: string[];
  /** For a missing key: the key to add and the mapping it belongs to. */
  missingKey?: { key: string; mapStart: number };
}

export type SchemaName = 'filter' | 'dataview' | 'filter-test';

/** Finds the `schemas/` folder next to the bundle or the compiled output, wherever this runs from. */
export function schemasDir(): string {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, 'schemas');
    if (fs.existsSync(path.join(candidate, 'filter.schema.json'))) return candidate;
    dir = path.dirname(dir);
  }
  throw new Error(`schemas/ not found above ${__dirname}`);
}

const validators = new Map<SchemaName, { validate: ValidateFunction; schema: SchemaObject }>();
type SchemaObject = Record<string, unknown>;

export function loadSchema(name: SchemaName): SchemaObject {
  return validator(name).schema;
}

function validator(name: SchemaName): { validate: ValidateFunction; schema: SchemaObject } {
  let v = validators.get(name);
  if (!v) {
    const schema = JSON.parse(fs.readFileSync(path.join(schemasDir(), `${name}.schema.json`), 'utf8')) as SchemaObject;
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    v = { validate: ajv.compile(schema), schema };
    validators.set(name, v);
  }
  return v;
}

/** Validates a parsed YAML tree against a schema and maps every error onto the key or value at fault. */
export function checkSchema(name: SchemaName, root: YNode | null): SchemaProblem[] {
  const { validate, schema } = validator(name);
  if (validate(toJS(root))) return [];
  return mapErrors(validate.errors ?? [], root, schema);
}

function mapErrors(errors: ErrorObject[], root: YNode | null, schema: SchemaObject): SchemaProblem[] {
  const out: SchemaProblem[] = [];
  const seen = new Set<string>();
  // Errors under a oneOf/anyOf are collapsed: one message per failed alternative set.
  const alternatives = errors.filter(e => e.keyword === 'oneOf' || e.keyword === 'anyOf');
  const collapsed = (e: ErrorObject): boolean =>
    alternatives.some(a => a !== e && e.schemaPath.startsWith(a.schemaPath.replace(/\/(oneOf|anyOf)$/, '/$1/')) && e.instancePath.startsWith(a.instancePath));
  for (const e of errors) {
    if (collapsed(e)) continue;
    const found = e.keyword === 'oneOf' || e.keyword === 'anyOf' ? alternativeProblems(e, errors, root, schema) : [oneProblem(e, root, schema)];
    for (const problem of found) {
      if (!problem) continue;
      const key = `${problem.start}:${problem.end}:${problem.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(problem);
    }
  }
  // A misspelt key is one fault: report the unknown key (with its suggestion), not also the missing one.
  return out.filter(p => !(p.missingKey && out.some(u => u.code === 'schema-unknown-key' && u.replacements?.includes(p.missingKey!.key))));
}

function keyName(pointer: string): string {
  const segs = pointer.split('/').filter(Boolean);
  return segs.length ? segs[segs.length - 1] : 'file';
}

function displayPath(pointer: string): string {
  const segs = pointer.split('/').filter(Boolean);
  return segs.length ? segs.map(s => (/^\d+$/.test(s) ? `[${s}]` : s)).join('.').replace(/\.\[/g, '[') : 'the file';
}

/** Range of the value at the pointer, or of its key when the value is missing. */
function locate(pointer: string, root: YNode | null): { start: number; end: number; keyStart?: number; keyEnd?: number } {
  const { node, pair } = nodeAtPointer(root, pointer);
  if (node) {
    const isBlock = node.kind !== 'scalar' || node.block;
    if (pair && isBlock) return { start: pair.key.start, end: pair.key.end };
    return { start: node.start, end: node.kind === 'scalar' ? node.end : node.start + 1, keyStart: pair?.key.start, keyEnd: pair?.key.end };
  }
  if (pair) return { start: pair.key.start, end: pair.key.end };
  return { start: 0, end: 0 };
}

function schemaAt(schema: SchemaObject, schemaPath: string): SchemaObject | undefined {
  let cur: unknown = schema;
  for (const seg of schemaPath.replace(/^#/, '').split('/').filter(Boolean)) {
    if (cur && typeof cur === 'object') cur = (cur as Record<string, unknown>)[decodeURIComponent(seg.replace(/~1/g, '/').replace(/~0/g, '~'))];
    else return undefined;
  }
  return cur && typeof cur === 'object' ? (cur as SchemaObject) : undefined;
}

function describe(schema: SchemaObject, schemaPath: string): string | undefined {
  const parentPath = schemaPath.replace(/\/[^/]+$/, '');
  const s = schemaAt(schema, parentPath);
  return typeof s?.description === 'string' ? s.description : undefined;
}

function oneProblem(e: ErrorObject, root: YNode | null, schema: SchemaObject): SchemaProblem | undefined {
  const where = displayPath(e.instancePath);
  switch (e.keyword) {
    case 'additionalProperties': {
      const extra = String((e.params as { additionalProperty: string }).additionalProperty);
      const pointer = `${e.instancePath}/${extra.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      const { pair } = nodeAtPointer(root, pointer);
      const parentSchema = schemaAt(schema, e.schemaPath.replace(/\/additionalProperties$/, ''));
      const known = Object.keys((parentSchema?.properties as Record<string, unknown>) ?? {});
      const suggestions = closestMatches(extra, known);
      const hint = suggestions.length ? ` Did you mean \`${suggestions[0]}\`?` : known.length ? ` Known keys: ${known.join(', ')}.` : '';
      const start = pair ? pair.key.start : 0;
      return { start, end: pair ? pair.key.end : 0, code: 'schema-unknown-key', message: `Unknown key \`${extra}\` in ${where}.${hint}`, replacements: suggestions };
    }
    case 'required': {
      const missing = String((e.params as { missingProperty: string }).missingProperty);
      const { node, pair } = nodeAtPointer(root, e.instancePath);
      const mapStart = node?.start ?? 0;
      if (pair) return { start: pair.key.start, end: pair.key.end, code: 'schema-missing-key', message: `\`${keyName(e.instancePath)}\` is missing the required key \`${missing}\`.`, missingKey: { key: missing, mapStart } };
      const first = node && node.kind === 'map' && node.pairs[0] ? node.pairs[0].key : undefined;
      return { start: first?.start ?? 0, end: first?.end ?? 0, code: 'schema-missing-key', message: `Missing required key \`${missing}\`.`, missingKey: { key: missing, mapStart } };
    }
    case 'type': {
      const loc = locate(e.instancePath, root);
      const t = (e.params as { type: string | string[] }).type;
      const wanted = (Array.isArray(t) ? t : [t]).map(typeWord).join(' or ');
      return { start: loc.start, end: loc.end, code: 'schema-type', message: `\`${where}\` must be ${wanted}.` };
    }
    case 'enum': {
      const loc = locate(e.instancePath, root);
      const allowed = ((e.params as { allowedValues: unknown[] }).allowedValues ?? []).map(String);
      const { node } = nodeAtPointer(root, e.instancePath);
      const actual = node && node.kind === 'scalar' ? String(node.value) : '';
      const suggestions = closestMatches(actual, allowed);
      return { start: loc.start, end: loc.end, code: 'schema-value', message: `\`${where}\` must be one of: ${allowed.map(a => `\`${a}\``).join(', ')}.`, replacements: suggestions.length ? suggestions : allowed };
    }
    case 'pattern': {
      const loc = locate(e.instancePath, root);
      const what = describe(schema, e.schemaPath) ?? `must match ${String((e.params as { pattern: string }).pattern)}`;
      return { start: loc.start, end: loc.end, code: 'schema-value', message: `\`${where}\` is not valid: ${what}` };
    }
    case 'propertyNames':
      return undefined; // reported by the nested `pattern` error on the key itself
    default: {
      const loc = locate(e.instancePath, root);
      return { start: loc.start, end: loc.end, code: 'schema-value', message: `\`${where}\` ${e.message ?? 'is not valid'}.` };
    }
  }
}

/** One understandable message for a failed oneOf/anyOf: the branch matching the value's shape wins. */
function alternativeProblems(e: ErrorObject, all: ErrorObject[], root: YNode | null, schema: SchemaObject): Array<SchemaProblem | undefined> {
  if (e.keyword === 'oneOf' && (e.params as { passingSchemas?: unknown }).passingSchemas) {
    const loc = locate(e.instancePath, root);
    return [{ start: loc.start, end: loc.end, code: 'schema-value', message: `\`${displayPath(e.instancePath)}\` sets both of two keys that exclude each other.` }];
  }
  const branchPrefix = `${e.schemaPath}/`;
  const inner = all.filter(x => x.schemaPath.startsWith(branchPrefix) && x.instancePath.startsWith(e.instancePath));
  const branches = new Map<string, ErrorObject[]>();
  for (const x of inner) {
    const b = x.schemaPath.slice(branchPrefix.length).split('/')[0];
    branches.set(b, [...(branches.get(b) ?? []), x]);
  }
  // A branch whose only complaint is not about the value's type is the one the author meant.
  const meant = [...branches.values()].filter(errs => !errs.some(x => x.keyword === 'type' && x.instancePath === e.instancePath));
  if (meant.length === 1) {
    const deep = meant[0].filter(x => x.keyword !== 'oneOf' && x.keyword !== 'anyOf');
    const problems = deep.map(x => oneProblem(x, root, schema)).filter((p): p is SchemaProblem => !!p);
    if (problems.length) return problems;
  }
  const loc = locate(e.instancePath, root);
  const s = schemaAt(schema, e.schemaPath.replace(/\/(oneOf|anyOf)$/, ''));
  const what = typeof s?.description === 'string' ? s.description : 'does not have an accepted form';
  return [{ start: loc.start, end: loc.end, code: 'schema-value', message: `\`${displayPath(e.instancePath)}\` is not valid. ${what}` }];
}

function typeWord(t: string): string {
  switch (t) {
    case 'object': return 'a mapping';
    case 'array': return 'a list';
    case 'string': return 'text';
    case 'number':
    case 'integer': return 'a number';
    case 'boolean': return 'true or false';
    case 'null': return 'empty';
    default: return t;
  }
}
