/**
 * Whether a data view's sample file may be read: it must exist, be a readable regular file, and
 * (when a policy confines sources) resolve, after symlinks, inside one of the allowed folders.
 * The checker reports the answer on the `file:` value; the loader refuses to read such a file and
 * the evaluation refuses to run on a data view missing one (a smaller audience is a wrong answer).
 */
import * as fs from 'fs';
import * as path from 'path';

/** The setting (application scope: a workspace cannot widen it) naming extra folders sample files may come from. */
export const ALLOWED_FOLDERS_SETTING = 'audienceFilters.data.allowedFolders';

export type SourceProblemCode = 'dataview-file-missing' | 'dataview-file-unreadable' | 'dataview-file-not-regular' | 'dataview-file-outside';

export interface SourceProblem {
  code: SourceProblemCode;
  message: string;
}

/** Where the sample files of a data view may come from. */
export interface SourcePolicy {
  /**
   * The folders the data view's sample files must resolve into (its workspace folder and any
   * allowed extra folders); undefined when sources are not confined.
   */
  rootsFor(dataViewUri: string): string[] | undefined;
  /** How a person lets a folder outside in (the CLI's `--allow-outside <dir>`, the editor's setting). */
  howToAllow?: string;
  /** The setting that allows extra folders, for the quick fix of an outside file (editor only). */
  setting?: string;
}

/** Why `file` cannot be read as a sample file under `roots`, or undefined when it can. */
export function sourceProblem(file: string, roots: string[] | undefined, howToAllow = `add its folder to \`${ALLOWED_FOLDERS_SETTING}\``): SourceProblem | undefined {
  let real: string;
  try {
    real = fs.realpathSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { code: 'dataview-file-missing', message: `Sample file ${file} does not exist.` };
    return { code: 'dataview-file-unreadable', message: `Sample file ${file} cannot be read (${code ?? (e as Error).message}).` };
  }
  if (roots) {
    const inside = roots.some(r => isInside(real, realOrSelf(r)));
    if (!inside) {
      const via = real === path.resolve(file) ? '' : ` (it resolves to ${real})`;
      return { code: 'dataview-file-outside', message: `Sample file ${file} is outside the workspace folder${via}; sample files are read only inside it. To allow it, ${howToAllow}.` };
    }
  }
  let stat: fs.Stats;
  try {
    stat = fs.statSync(real);
  } catch (e) {
    return { code: 'dataview-file-unreadable', message: `Sample file ${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).` };
  }
  if (!stat.isFile()) return { code: 'dataview-file-not-regular', message: `Sample file ${file} is ${stat.isDirectory() ? 'a folder' : 'a device, pipe or socket'}, not a regular file.` };
  try {
    fs.accessSync(real, fs.constants.R_OK);
  } catch (e) {
    return { code: 'dataview-file-unreadable', message: `Sample file ${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).` };
  }
  return undefined;
}

function realOrSelf(dir: string): string {
  try {
    return fs.realpathSync(dir);
  } catch {
    return path.resolve(dir);
  }
}

function isInside(file: string, dir: string): boolean {
  const rel = path.relative(dir, file);
  return rel !== '' && !rel.startsWith(`..${path.sep}`) && rel !== '..' && !path.isAbsolute(rel);
}
