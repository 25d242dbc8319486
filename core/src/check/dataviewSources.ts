import { sourceProblem } from '../data/sourceAccess';
import type { SourcePolicy } from '../data/sourceAccess';
import type { Problem } from '../diagnostics';
import type { DataViewFile } from '../files/dataviewFile';

/**
 * The sample files of a data view, checked like code: a missing, unreadable or special file, or
 * one outside the allowed folders, is an error on its `file:` value. Outside files carry the
 * setting that lets them in, for the quick fix.
 */
export function dataViewSourceProblems(file: DataViewFile, policy: SourcePolicy | undefined): Problem[] {
  const roots = policy?.rootsFor(file.uri);
  const problems: Problem[] = [];
  for (const source of file.sourceFiles) {
    const p = sourceProblem(source.path, roots, policy?.howToAllow);
    if (!p) continue;
    const message = p.message.replace(source.path, `\`${source.value.value}\``);
    problems.push({
      start: source.value.start,
      end: source.value.end,
      severity: 'error',
      code: p.code,
      message,
      ...(p.code === 'dataview-file-outside' && policy?.setting ? { data: { setting: policy.setting } } : {}),
    });
  }
  return problems;
}
