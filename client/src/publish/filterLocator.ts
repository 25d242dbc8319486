import * as vscode from 'vscode';

const FILTER_GLOB = '**/*.{filter.yaml,filter.yml}';
const TOP_LEVEL_ID = /^filter[ \t]*:[ \t]*(?:"([^"]*)"|'([^']*)'|([^\s#]+))/m;

/** The `filter:` id at the top level of a filter file's text. */
export function filterIdOf(text: string): string | undefined {
  const m = TOP_LEVEL_ID.exec(text);
  return m ? (m[1] ?? m[2] ?? m[3]) : undefined;
}

/**
 * The filter file of the workspace whose id is `filterId` (an open document's unsaved text counts),
 * preferring files whose folder publishes to `endpoint` when several folders define the id.
 */
export async function findFilterFile(filterId: string, endpointOf?: (uri: vscode.Uri) => string | undefined, endpoint?: string): Promise<vscode.Uri | undefined> {
  const matches: vscode.Uri[] = [];
  const open = new Map(vscode.workspace.textDocuments.map(d => [d.uri.toString(), d]));
  for (const uri of await vscode.workspace.findFiles(FILTER_GLOB, '**/node_modules/**')) {
    const doc = open.get(uri.toString());
    let text: string;
    try {
      text = doc ? doc.getText() : new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
    } catch {
      continue;
    }
    if (filterIdOf(text) === filterId) matches.push(uri);
  }
  matches.sort((a, b) => a.toString().localeCompare(b.toString()));
  if (endpoint && endpointOf) return matches.find(uri => endpointOf(uri) === endpoint) ?? matches[0];
  return matches[0];
}
