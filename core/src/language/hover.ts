/**
 * Hover: dimensions and metrics (type, description, source field, sample values, cardinality),
 * operators and keywords (their CJA meaning), filter references (title, description) and YAML keys
 * (the schema's description).
 */
import * as path from 'path';
import type { DataView } from '../dataview/model';
import type { SchemaName } from '../files/schemaCheck';
import { OPERATOR_TEXT, formatNumber } from '../rule/printer';
import type { Workspace, WorkspaceFile } from '../workspace';
import { ruleOffsetOf, ruleTargetAt, yamlAt } from './locate';
import { OPERATOR_DOCS, keywordDoc } from './ruleDocs';
import type { SampleValues } from './sampleValues';
import { schemaAt } from './schemaInfo';

export interface HoverResult {
  /** Markdown. */
  markdown: string;
  start: number;
  end: number;
}

const SAMPLE_SHOWN = 5;

export function hover(workspace: Workspace, file: WorkspaceFile, offset: number, samples?: SampleValues): HoverResult | undefined {
  if (file.kind === 'filter') {
    const source = file.ruleSource;
    const target = ruleTargetAt(file, ruleOffsetOf(file, offset));
    if (target && source) {
      const at = (s: { start: number; end: number }) => ({ start: source.toFile(s.start), end: source.toFile(s.end) });
      switch (target.kind) {
        case 'field': {
          const dv = workspace.dataViewFor(file)?.dataView;
          const markdown = dv ? fieldMarkdown(dv, target.use.id.name, samples) : `**${target.use.id.name}**\n\nNo data view: set \`dataview:\` to check and describe fields.`;
          return { markdown, ...at(target.use.id) };
        }
        case 'filterRef': {
          const ref = workspace.filterById(target.ref.id.name);
          const markdown = ref
            ? [`**filter ${ref.id?.value}**${ref.title ? ` — ${ref.title}` : ''}`, ref.description, `Data view \`${workspace.dataViewIdOf(ref) ?? '—'}\` · ${path.basename(ref.uri)}`].filter(Boolean).join('\n\n')
            : `**filter ${target.ref.id.name}** — no filter has this id.`;
          return { markdown, ...at(target.ref) };
        }
        case 'operator':
          return { markdown: `**${OPERATOR_TEXT[target.condition.op]}**\n\n${OPERATOR_DOCS[target.condition.op]}`, ...at(target.condition.opSpan) };
        case 'value':
          return undefined;
        case 'keyword': {
          const doc = keywordDoc(target.token.text);
          return doc ? { markdown: `**${target.token.text}**\n\n${doc}`, ...at(target.token) } : undefined;
        }
      }
    }
    return yamlHover(workspace, file, offset, 'filter');
  }
  if (file.kind === 'dataview') {
    for (const [name, decl] of file.declarations) {
      if (offset >= decl.start && offset <= decl.end && file.dataView) return { markdown: fieldMarkdown(file.dataView, name, samples), start: decl.start, end: decl.end };
    }
    return yamlHover(workspace, file, offset, 'dataview');
  }
  return undefined;
}

function yamlHover(workspace: Workspace, file: WorkspaceFile, offset: number, schema: SchemaName): HoverResult | undefined {
  const loc = yamlAt(file.yaml.root, offset);
  if (!loc.pair) return undefined;
  if (loc.inKey) {
    const node = schemaAt(schema, loc.path);
    const description = typeof node?.description === 'string' ? node.description : undefined;
    if (!description) return undefined;
    return { markdown: `**${loc.path.join('.')}**\n\n${description}`, start: loc.pair.key.start, end: loc.pair.key.end };
  }
  const value = loc.pair.value;
  if (schema === 'filter' && file.kind === 'filter' && loc.path.length === 1 && loc.path[0] === 'dataview' && value && value.kind === 'scalar') {
    const dv = workspace.dataViewFor(file);
    if (!dv?.dataView) return undefined;
    const d = dv.dataView;
    const markdown = [`**data view ${d.id}**${d.title ? ` — ${d.title}` : ''}`, `${d.dimensions.length} dimensions, ${d.metrics.length} metrics, ${d.files.length} sample file${d.files.length === 1 ? '' : 's'} · ${path.basename(dv.uri)}`].join('\n\n');
    return { markdown, start: value.start, end: value.end };
  }
  return undefined;
}

/** The hover text of a dimension or metric. */
export function fieldMarkdown(dv: DataView, name: string, samples?: SampleValues): string {
  const dimension = dv.dimensions.find(d => d.name === name);
  const metric = dimension ? undefined : dv.metrics.find(m => m.name === name);
  if (!dimension && !metric) return `**${name}** — not declared in data view \`${dv.id}\`.`;
  const lines: string[] = [];
  if (dimension) lines.push(`**${name}** — ${dimension.type} dimension`);
  else lines.push(`**${name}** — metric (in a container: its total over the container; missing values count as 0)`);
  const description = (dimension ?? metric)!.description;
  if (description) lines.push(description);
  const field = (dimension ?? metric)!.field;
  lines.push(`Source field \`${field}\` · data view \`${dv.id}\``);
  const sample = samples?.sample(dv, name);
  if (sample) {
    if (dimension) {
      const top = sample.top.slice(0, SAMPLE_SHOWN).map(v => `\`${typeof v.value === 'number' ? formatNumber(v.value) : v.value}\` (${v.count})`);
      lines.push(`Sample: ${sample.distinct} distinct value${sample.distinct === 1 ? '' : 's'} in ${sample.present} of ${sample.events} events${top.length ? `. Top: ${top.join(', ')}` : ''}`);
    } else {
      lines.push(`Sample: set on ${sample.present} of ${sample.events} events${sample.sum !== undefined ? `, total ${formatNumber(sample.sum)}, from ${formatNumber(sample.min!)} to ${formatNumber(sample.max!)}` : ''}`);
    }
  }
  return lines.join('\n\n');
}
