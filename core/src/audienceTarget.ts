import { createHash } from 'crypto';
import { referencedFilterIds } from './check/checker';
import type { FilterFile } from './files/filterFile';
import type { AudienceMetadata, Refresh } from './publish/protocol';
import { REFRESH_VALUES } from './publish/protocol';
import { printRule } from './rule/printer';
import type { Workspace } from './workspace';

/**
 * The profile-store metadata of a filter's audience: from its `audience:` block, with the
 * definition hash over the canonical rule of the filter and of every filter it references, so a
 * reviewer (and the endpoint) can tell when the definition changed.
 */
export function audienceMetadataOf(filter: FilterFile, workspace: Workspace, now: Date = new Date()): AudienceMetadata | { error: string } {
  const id = filter.id?.value;
  if (!id) return { error: 'The filter has no id.' };
  const spec = filter.audience;
  if (!spec) return { error: `Filter \`${id}\` has no \`audience:\` block; add one with at least a \`name\` to publish it.` };
  const filters = referenceClosure(id, workspace);
  const hash = createHash('sha256');
  for (const f of filters) {
    const rule = workspace.filterById(f)?.rule;
    hash.update(`${f}\n${rule ? printRule(rule) : ''}\n`);
  }
  const refresh = (REFRESH_VALUES as readonly string[]).includes(spec.refresh) ? (spec.refresh as Refresh) : 'daily';
  const defaultExpiry = new Date(Date.UTC(now.getUTCFullYear() + 1, now.getUTCMonth(), now.getUTCDate())).toISOString().slice(0, 10);
  const metadata: AudienceMetadata = {
    name: spec.name,
    filterId: id,
    filters,
    definitionHash: `sha256:${hash.digest('hex')}`,
    refresh,
    lookbackDays: spec.lookbackDays,
    expires: spec.expires ?? defaultExpiry,
    namespaces: spec.namespaces ?? [],
  };
  if (spec.description ?? filter.description) metadata.description = spec.description ?? filter.description;
  if (spec.tags ?? filter.tags.length) metadata.tags = spec.tags ?? filter.tags;
  return metadata;
}

/** The filter and every filter it references, directly or not, each once, in discovery order. */
export function referenceClosure(id: string, workspace: Workspace): string[] {
  const out: string[] = [];
  const queue = [id];
  while (queue.length) {
    const next = queue.shift() as string;
    if (out.includes(next)) continue;
    out.push(next);
    queue.push(...referencedFilterIds(workspace.filterById(next)?.rule?.root));
  }
  return out;
}
