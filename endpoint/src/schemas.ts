import * as fs from 'fs';
import * as path from 'path';
import Ajv2020 from 'ajv/dist/2020';
import type { ValidateFunction, ErrorObject } from 'ajv';

export const SCHEMA_BASE = 'https://audience-filters.dev/schemas/protocol/';

/** Finds `schemas/protocol` above this file (source tree, `out/` tree or a bundle beside the repo root). */
export function findSchemasDir(start: string = __dirname): string | undefined {
  let dir = start;
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, 'schemas', 'protocol');
    if (fs.existsSync(path.join(candidate, 'identity.json'))) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return undefined;
}

export interface SchemaProblem {
  field: string;
  message: string;
}

/** All protocol schemas compiled with ajv; the endpoint validates every body against them. */
export class ProtocolSchemas {
  private readonly ajv: Ajv2020;
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(dir: string) {
    this.ajv = new Ajv2020({ allErrors: false, allowUnionTypes: true, strict: true });
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
      this.ajv.addSchema(JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as object);
    }
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.json'))) {
      const validate = this.ajv.getSchema(SCHEMA_BASE + file);
      if (!validate) throw new Error(`schema ${file} has no $id ${SCHEMA_BASE + file}`);
      this.compiled.set(file, validate);
    }
  }

  /** The first problem of `value` against schema `file`, or undefined when it is valid. */
  check(file: string, value: unknown): SchemaProblem | undefined {
    const validate = this.compiled.get(file);
    if (!validate) throw new Error(`unknown schema ${file}`);
    if (validate(value)) return undefined;
    return describe((validate.errors ?? [])[0]);
  }
}

function describe(error: ErrorObject | undefined): SchemaProblem {
  if (!error) return { field: '', message: 'request body is invalid' };
  const params = error.params as { missingProperty?: string; additionalProperty?: string; allowedValues?: unknown[] };
  let field = error.instancePath;
  let message = error.message ?? 'is invalid';
  if (params.missingProperty !== undefined) {
    field += `/${params.missingProperty}`;
    message = 'is required';
  } else if (params.additionalProperty !== undefined) {
    field += `/${params.additionalProperty}`;
    message = 'is not a known field';
  } else if (params.allowedValues) {
    message = `must be one of ${params.allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
  }
  return { field, message: `${field || 'request body'} ${message}` };
}
