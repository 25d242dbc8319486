/**
 * "New Data View…" and "New Filter…": the first two steps of the walkthrough, and what
 * `audience-filters init` does in the terminal. Both write an ordinary file with the core's
 * inference and templates, open it, and never overwrite an existing file.
 */
import * as path from 'path';
import * as vscode from 'vscode';
import { dataViewYaml, inferDataView, topFieldValues } from '../../core/src/dataview/infer';
import { parseDataViewFile } from '../../core/src/files/dataviewFile';
import { FILTER_TEMPLATES, filterIdOf, filterTemplateText } from '../../core/src/filterTemplates';
import type { FilterTemplate } from '../../core/src/filterTemplates';

const ID_PATTERN = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const validateId = (v: string) => (ID_PATTERN.test(v.trim()) ? undefined : 'Use lower-case letters, digits and single dashes, e.g. web or checkout-abandoners.');

/** Arguments for scripts and tests; every one left out is asked for. */
export interface NewDataViewOptions {
  id?: string;
  /** Where to write; default `<id>.dataview.yaml` in the folder of the first sample file's workspace folder. */
  target?: vscode.Uri;
}

/** `audienceFilters.newDataView [files] [options]`: resolves with the new file, or undefined when cancelled or refused. */
export async function newDataView(files?: vscode.Uri[], options: NewDataViewOptions = {}): Promise<vscode.Uri | undefined> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  const picked = files?.length
    ? files
    : await vscode.window.showOpenDialog({
      title: 'New Data View: pick the sample files (events with a timestamp and a person ID)',
      canSelectMany: true,
      openLabel: 'Infer Data View',
      defaultUri: folder?.uri,
      filters: { 'Sample events': ['ndjson', 'jsonl', 'json', 'csv'] },
    });
  if (!picked?.length) return undefined;
  const id = options.id ?? (await vscode.window.showInputBox({ title: 'New Data View: its id (filters name it in `dataview:`)', value: 'web', validateInput: validateId }))?.trim();
  if (!id) return undefined;
  const base = vscode.workspace.getWorkspaceFolder(picked[0])?.uri ?? folder?.uri ?? vscode.Uri.file(path.dirname(picked[0].fsPath));
  const target = options.target ?? vscode.Uri.joinPath(base, `${id}.dataview.yaml`);
  if (await exists(target)) {
    void vscode.window.showWarningMessage(`Audience Filters: ${vscode.workspace.asRelativePath(target)} already exists; it was not changed.`, 'Open').then(c => c && vscode.window.showTextDocument(target));
    return undefined;
  }
  const inferred = inferDataView(picked.map(f => f.fsPath));
  if (!inferred.ok) {
    void vscode.window.showErrorMessage(`Audience Filters: no data view could be inferred. ${inferred.error}`);
    return undefined;
  }
  const text = dataViewYaml(id, inferred.value, path.dirname(target.fsPath));
  await vscode.workspace.fs.writeFile(target, Buffer.from(text, 'utf8'));
  await vscode.window.showTextDocument(target);
  return target;
}

export interface NewFilterOptions {
  /** The `*.dataview.yaml` to write against. */
  dataView?: vscode.Uri;
  template?: FilterTemplate;
  id?: string;
}

/** `audienceFilters.newFilter [options]`: resolves with the new file, or undefined when cancelled or refused. */
export async function newFilter(options: NewFilterOptions = {}): Promise<vscode.Uri | undefined> {
  const dataViewUri = options.dataView ?? (await pickDataView());
  if (!dataViewUri) return undefined;
  const parsed = parseDataViewFile(dataViewUri.fsPath, Buffer.from(await vscode.workspace.fs.readFile(dataViewUri)).toString('utf8'));
  const dataView = parsed.dataView;
  if (!dataView) {
    void vscode.window.showErrorMessage(`Audience Filters: ${vscode.workspace.asRelativePath(dataViewUri)} is not a valid data view yet (it needs \`dataview:\` and \`timestamp:\`); see its problems.`);
    return undefined;
  }
  const template = options.template ?? (await vscode.window.showQuickPick(
    FILTER_TEMPLATES.map(t => ({ label: t.label, detail: t.detail, template: t.id })),
    { title: `New Filter on ${dataView.id}: pick a template`, placeHolder: 'The rule starts from a dimension of the data view and values seen in its sample data' },
  ))?.template;
  if (!template) return undefined;
  const id = options.id ?? (await vscode.window.showInputBox({
    title: `New ${template} filter on ${dataView.id}: its id (also the file name)`,
    value: template === 'exclude' ? 'checkout-abandoners' : template === 'sequence' ? 'browse-then-buy' : 'my-first-filter',
    validateInput: validateId,
  }))?.trim();
  if (!id) return undefined;
  const dir = vscode.Uri.file(path.dirname(dataViewUri.fsPath));
  const filters = vscode.Uri.joinPath(dir, 'filters');
  const target = vscode.Uri.joinPath((await exists(filters)) ? filters : dir, `${filterIdOf(id)}.filter.yaml`);
  if (await exists(target)) {
    void vscode.window.showWarningMessage(`Audience Filters: ${vscode.workspace.asRelativePath(target)} already exists; it was not changed.`, 'Open').then(c => c && vscode.window.showTextDocument(target));
    return undefined;
  }
  const values = topFieldValues(dataView.files.map(f => f.path), dataView.dimensions.map(d => d.field));
  const text = filterTemplateText(template, {
    id: filterIdOf(id),
    dataView: dataView.id,
    dimensions: dataView.dimensions.filter(d => d.type === 'string').map(d => ({ name: d.name, values: values.get(d.field) ?? [] })),
  });
  await vscode.workspace.fs.writeFile(target, Buffer.from(text, 'utf8'));
  const editor = await vscode.window.showTextDocument(target);
  // The cursor on the rule's first value: the likeliest thing to change.
  const line = editor.document.getText().split('\n').findIndex(l => /^\s+event where /.test(l));
  if (line >= 0) {
    const l = editor.document.lineAt(line).text;
    const start = l.indexOf('"');
    editor.selection = new vscode.Selection(line, start + 1, line, l.indexOf('"', start + 1));
  }
  return target;
}

async function pickDataView(): Promise<vscode.Uri | undefined> {
  const found = (await vscode.workspace.findFiles('**/*.dataview.{yaml,yml}', '**/node_modules/**')).sort((a, b) => a.fsPath.localeCompare(b.fsPath));
  if (found.length === 0) {
    const choice = await vscode.window.showInformationMessage('Audience Filters: a filter is written against a data view, and this workspace has none yet.', 'New Data View…');
    if (choice) await vscode.commands.executeCommand('audienceFilters.newDataView');
    return undefined;
  }
  if (found.length === 1) return found[0];
  const items = await Promise.all(found.map(async uri => {
    const text = Buffer.from(await vscode.workspace.fs.readFile(uri)).toString('utf8');
    const id = /^dataview[ \t]*:[ \t]*(\S+)/m.exec(text)?.[1] ?? path.basename(uri.fsPath);
    const title = /^title[ \t]*:[ \t]*(.+)$/m.exec(text)?.[1];
    return { label: id, description: vscode.workspace.asRelativePath(uri), detail: title, uri };
  }));
  return (await vscode.window.showQuickPick(items, { title: 'New Filter: pick its data view', placeHolder: 'The data view whose dimensions and metrics the filter uses' }))?.uri;
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}
