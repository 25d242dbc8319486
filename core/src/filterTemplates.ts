/**
 * Starting points for a new filter ("New Filter…" in the editor, `audience-filters init --filter`):
 * a condition, a sequence, or a sequence with an exclude, written with a real dimension of the
 * data view and values that occur in its sample data, so the first preview shows people.
 */

export type FilterTemplate = 'condition' | 'sequence' | 'exclude';
export const FILTER_TEMPLATES: ReadonlyArray<{ id: FilterTemplate; label: string; detail: string }> = [
  { id: 'condition', label: 'Condition', detail: 'people with an event where a dimension has a value' },
  { id: 'sequence', label: 'Sequence', detail: 'one event, then within 30 minutes another' },
  { id: 'exclude', label: 'Exclude', detail: 'one event, then no other event within 30 minutes (e.g. checkout without purchase)' },
];

/** A dimension and the values seen for it, most frequent first. */
export interface TemplateDimension {
  name: string;
  values: string[];
}

export interface TemplateInput {
  id: string;
  title?: string;
  dataView: string;
  dimensions: TemplateDimension[];
}

/**
 * The filter file text. The dimension is the data view's first with at least two values seen (so
 * a sequence can go from one value to another), its two most frequent values; without any, a
 * placeholder that `check` will point at.
 */
export function filterTemplateText(template: FilterTemplate, input: TemplateInput): string {
  const dim = pickDimension(input.dimensions);
  const name = dim?.name ?? 'dimension';
  const [a, b] = [dim?.values[0] ?? 'value', dim?.values[1] ?? dim?.values[0] ?? 'other value'];
  const q = (v: string) => JSON.stringify(v);
  const rule =
    template === 'condition'
      ? [`person where`, `  event where ${name} = ${q(a)}`]
      : template === 'sequence'
        ? [`person where`, `  event where ${name} = ${q(a)}`, `  then within 30 minutes`, `  event where ${name} = ${q(b)}`]
        : [`person where`, `  event where ${name} = ${q(a)}`, `  then within 30 minutes`, `  exclude event where ${name} = ${q(b)}`];
  const description =
    template === 'condition'
      ? `People with an event where ${name} is ${a}.`
      : template === 'sequence'
        ? `People with ${name} ${a}, then ${b} within 30 minutes.`
        : `People with ${name} ${a} and no ${b} within the next 30 minutes.`;
  return [
    `filter: ${input.id}`,
    `title: ${yamlText(input.title ?? titleOf(input.id))}`,
    `description: ${yamlText(description)}`,
    `dataview: ${input.dataView}`,
    `period: last 30 days`,
    `rule: |`,
    ...rule.map(l => `  ${l}`),
    '',
  ].join('\n');
}

function pickDimension(dimensions: TemplateDimension[]): TemplateDimension | undefined {
  return dimensions.find(d => d.values.length >= 2) ?? dimensions.find(d => d.values.length > 0) ?? dimensions[0];
}

/** "checkout-abandoners" → "Checkout abandoners". */
export function titleOf(id: string): string {
  const words = id.replace(/[-_]+/g, ' ').trim();
  return words ? words[0].toUpperCase() + words.slice(1) : 'New filter';
}

/** A filter id from any text: lower-case kebab (a-z, 0-9, single dashes). */
export function filterIdOf(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'new-filter';
}

function yamlText(s: string): string {
  return /^[A-Za-z0-9][\w ,.()'/-]*$/.test(s) && !/: | #/.test(s) ? s : JSON.stringify(s);
}
