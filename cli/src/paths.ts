import * as fs from 'fs';
import * as path from 'path';
import { findWorkspaceFiles } from '../../core/src/workspaceFiles';
import { UsageError } from './args';

const GLOB_CHARS = /[*?[\]{}]/;

/**
 * Expands files, folders and globs into the workspace files they name, plus the folders whose files
 * give them context (data views and referenced filters are resolved across those).
 */
export function expandPaths(inputs: string[], cwd: string): { targets: string[]; contextRoots: string[] } {
  const targets = new Set<string>();
  const roots = new Set<string>();
  for (const input of inputs) {
    const abs = path.resolve(cwd, input);
    if (fs.existsSync(abs)) {
      const st = fs.statSync(abs);
      if (st.isDirectory()) {
        roots.add(abs);
        for (const f of findWorkspaceFiles(abs)) targets.add(f);
      } else {
        targets.add(abs);
        roots.add(contextRoot(abs, cwd));
      }
      continue;
    }
    if (!GLOB_CHARS.test(input)) throw new UsageError(`no such file or folder: ${input}`);
    const base = path.resolve(cwd, staticPrefix(input));
    const matcher = globToRegExp(path.resolve(cwd, input));
    const matched = fs.existsSync(base) ? findWorkspaceFiles(base).filter(f => matcher.test(f)) : [];
    if (!matched.length) throw new UsageError(`no filter or data view files match ${input}`);
    roots.add(contextRoot(base, cwd));
    for (const f of matched) targets.add(f);
  }
  return { targets: [...targets].sort(), contextRoots: [...roots] };
}

function staticPrefix(glob: string): string {
  const parts = glob.split(/[\\/]/);
  const fixed: string[] = [];
  for (const p of parts) {
    if (GLOB_CHARS.test(p)) break;
    fixed.push(p);
  }
  return fixed.join('/') || '.';
}

/** `**` any folders, `*` any characters but `/`, `?` one character, `{a,b}` alternatives. */
function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      re += '.*';
      i++;
      if (glob[i + 1] === '/') i++;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '{') re += '(?:';
    else if (c === '}') re += ')';
    else if (c === ',') re += '|';
    else re += c.replace(/[.+^$()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** Files inside the working folder are checked in the context of the whole folder; others in their own. */
function contextRoot(file: string, cwd: string): string {
  const rel = path.relative(cwd, file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? cwd : path.dirname(file);
}
