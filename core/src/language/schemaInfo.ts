/** Reading the JSON Schemas of filter and data view files by key path (for completion and hover). */
import { loadSchema } from '../files/schemaCheck';
import type { SchemaName } from '../files/schemaCheck';

export type SchemaNode = Record<string, unknown>;

function resolve(root: SchemaNode, node: SchemaNode | undefined): SchemaNode | undefined {
  let n = node;
  for (let i = 0; n && typeof n.$ref === 'string' && i < 8; i++) {
    const path = (n.$ref as string).replace(/^#\//, '').split('/');
    let target: unknown = root;
    for (const seg of path) target = target && typeof target === 'object' ? (target as SchemaNode)[seg] : undefined;
    n = { ...(target as SchemaNode | undefined), ...(n.description ? { description: n.description } : {}) };
    delete n.$ref;
  }
  return n;
}

/** The object-shaped alternative of a node (for `oneOf: [shorthand, {properties}]`). */
function objectBranch(root: SchemaNode, node: SchemaNode | undefined): SchemaNode | undefined {
  const n = resolve(root, node);
  if (!n || n.properties || !Array.isArray(n.oneOf)) return n;
  const branch = (n.oneOf as SchemaNode[]).map(b => resolve(root, b)).find(b => b?.properties);
  return branch ? { ...branch, description: n.description ?? branch.description } : n;
}

/** The schema of the value at a key path (numbers index sequences). */
export function schemaAt(name: SchemaName, path: Array<string | number>): SchemaNode | undefined {
  const root = loadSchema(name);
  let node: SchemaNode | undefined = root;
  for (const seg of path) {
    const n = objectBranch(root, node);
    if (!n) return undefined;
    if (typeof seg === 'number') node = resolve(root, n.items as SchemaNode | undefined);
    else {
      const props = n.properties as Record<string, SchemaNode> | undefined;
      node = props?.[seg] ?? (typeof n.additionalProperties === 'object' ? (n.additionalProperties as SchemaNode) : undefined);
      node = resolve(root, node);
    }
  }
  return node;
}

export interface SchemaProperty {
  key: string;
  description?: string;
  required: boolean;
  schema: SchemaNode;
}

/** The properties a mapping at `path` may have, in the schema's order. */
export function propertiesAt(name: SchemaName, path: Array<string | number>): SchemaProperty[] {
  const root = loadSchema(name);
  const n = objectBranch(root, schemaAt(name, path));
  const props = (n?.properties as Record<string, SchemaNode> | undefined) ?? {};
  const required = new Set((n?.required as string[] | undefined) ?? []);
  return Object.entries(props).map(([key, s]) => {
    const r = resolve(root, s) ?? s;
    return { key, description: typeof r.description === 'string' ? r.description : undefined, required: required.has(key), schema: objectBranch(root, r) ?? r };
  });
}

/** The allowed values of an enum at a key path (looking into `oneOf` alternatives). */
export function enumAt(name: SchemaName, path: Array<string | number>): string[] {
  const root = loadSchema(name);
  const n = schemaAt(name, path);
  const out: string[] = [];
  const visit = (s: SchemaNode | undefined): void => {
    const r = resolve(root, s);
    if (!r) return;
    if (Array.isArray(r.enum)) out.push(...(r.enum as unknown[]).map(String));
    if (Array.isArray(r.oneOf)) (r.oneOf as SchemaNode[]).forEach(visit);
  };
  visit(n);
  return out;
}
