import type { CommandSpec, OptionSpec } from './args';

/** The help of one verb, generated from its option table (the one the parser reads). */
export function helpText(spec: CommandSpec): string {
  const lines = [`Usage: audience-filters ${spec.name}${spec.args ? ` ${spec.args}` : ''}${spec.options.length ? ' [options]' : ''}`, '', spec.summary];
  if (spec.details) lines.push('', spec.details);
  const rows = [...spec.options.map(o => [optionLabel(o), optionText(o)]), ['-h, --help', 'show this help']];
  const width = Math.max(...rows.map(r => r[0].length)) + 2;
  lines.push('', 'Options:', ...rows.map(([label, text]) => `  ${label.padEnd(width)}${text}`));
  const env = [...spec.options.flatMap(o => (o.env ? [{ name: o.env, description: `default for --${o.name}` }] : [])), ...(spec.env ?? [])];
  if (env.length) {
    const w = Math.max(...env.map(e => e.name.length)) + 2;
    lines.push('', 'Environment:', ...env.map(e => `  ${e.name.padEnd(w)}${e.description}`));
  }
  lines.push('', 'Examples:', ...spec.examples.map(e => `  ${e}`));
  return lines.join('\n');
}

export function optionLabel(o: OptionSpec): string {
  return `${o.alias ? `-${o.alias}, ` : ''}--${o.name}${o.value ? ` ${o.value}` : ''}`;
}

function optionText(o: OptionSpec): string {
  const extra = [o.repeatable ? 'repeatable' : '', o.default !== undefined ? `default: ${o.default}` : '', o.env ? `env: ${o.env}` : ''].filter(Boolean);
  return `${o.description}${extra.length ? ` (${extra.join('; ')})` : ''}`;
}

/** The usage line of a verb for the command list. */
export function summaryLine(spec: CommandSpec): string {
  return `${spec.name}${spec.args ? ` ${spec.args}` : ''}`;
}
