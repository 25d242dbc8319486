import * as vscode from 'vscode';
import { State } from 'vscode-languageclient/node';
import type { LanguageClient } from 'vscode-languageclient/node';
import { PeopleRequest } from '../../server/src/protocol';
import type { ExplainResult, PeopleParams, PeopleResult, PreviewIdentity } from '../../server/src/protocol';
import type { PreviewPanel } from './preview/previewPanel';

/** The language server's people request (every person of the sample, marked member or not). */
export type PeopleSource = (params: PeopleParams, token?: vscode.CancellationToken) => Promise<PeopleResult>;

export function peopleSourceOf(client: () => LanguageClient | undefined): PeopleSource {
  return async (params, token) => {
    const c = client();
    if (!c || (c.state !== State.Running && c.state !== State.Starting)) throw new Error('The Audience Filters language server is not running. Run "Audience Filters: Restart Language Server" or see the output.');
    if (c.state === State.Starting) await c.start();
    return c.sendRequest<PeopleResult>(PeopleRequest, params, token);
  };
}

/** One row of the Explain pick: a person of the sample, or the identity typed in. */
export interface PersonItem extends vscode.QuickPickItem {
  person: PreviewIdentity;
}

/**
 * `audienceFilters.explain [uri] [person]`: explains one person in the preview panel. Without a
 * person, offers every person of the filter's sample data, members and non-members marked, in a
 * quick pick that also takes an identity typed as `namespace:id`.
 */
export async function explainCommand(panel: PreviewPanel, people: PeopleSource, document: vscode.TextDocument, person?: PreviewIdentity): Promise<{ person: PreviewIdentity; result: ExplainResult } | undefined> {
  const who = person ?? (await pickPerson(people, document));
  if (!who) return undefined;
  const result = await panel.explain(document, who);
  return result ? { person: who, result } : undefined;
}

/** The items for the people of the sample: the label is `namespace:id`, so typing one narrows the list to it. */
export function personItems(result: PeopleResult & { status: 'ok' }): PersonItem[] {
  return result.people.map(p => ({
    label: `${p.namespace}:${p.id}`,
    description: p.member ? 'member' : 'not a member',
    iconPath: new vscode.ThemeIcon(p.member ? 'pass-filled' : 'circle-slash'),
    person: { namespace: p.namespace, id: p.id },
  }));
}

/** The row for what was typed, when no listed person's label contains it: explained all the same. */
export function typedItem(text: string, listed: readonly PersonItem[], complete: boolean): PersonItem | undefined {
  const person = parseIdentity(text);
  if (!person) return undefined;
  const label = `${person.namespace}:${person.id}`;
  if (listed.some(i => i.label.includes(label))) return undefined;
  return {
    label,
    description: complete ? 'unknown person — not in the sample data' : 'not among the people listed',
    iconPath: new vscode.ThemeIcon('question'),
    alwaysShow: true,
    person,
  };
}

async function pickPerson(people: PeopleSource, document: vscode.TextDocument): Promise<PreviewIdentity | undefined> {
  const quickPick = vscode.window.createQuickPick<PersonItem>();
  quickPick.title = `Explain a person — ${vscode.workspace.asRelativePath(document.uri)}`;
  quickPick.placeholder = 'Loading the people of the sample data… (or type namespace:id)';
  quickPick.matchOnDescription = true;
  quickPick.busy = true;
  let listed: PersonItem[] = [];
  let complete = false;
  let shownTyped: string | undefined;
  // Items are set again only when the typed row comes, changes or goes: typing an ID that is listed
  // leaves the list alone, so VS Code's own filtering keeps up with the keystrokes.
  const update = (force = false) => {
    const typed = typedItem(quickPick.value, listed, complete);
    if (!force && typed?.label === shownTyped) return;
    shownTyped = typed?.label;
    quickPick.items = typed ? [typed, ...listed] : listed;
  };
  const cts = new vscode.CancellationTokenSource();
  people({ uri: document.uri.toString() }, cts.token).then(
    r => {
      quickPick.busy = false;
      if (r.status !== 'ok') {
        quickPick.placeholder = `${r.message} Type namespace:id to explain someone.`;
        return;
      }
      listed = personItems(r);
      complete = r.people.length === r.total;
      const fmt = new Intl.NumberFormat('en-US');
      quickPick.placeholder = `${fmt.format(r.total)} people of ${r.dataView.id}, ${fmt.format(r.members)} in the audience${complete ? '' : ` (first ${fmt.format(r.people.length)} listed)`} — pick one, or type namespace:id`;
      update(true);
    },
    (e: unknown) => {
      quickPick.busy = false;
      quickPick.placeholder = `${e instanceof Error ? e.message : String(e)} Type namespace:id to explain someone.`;
    },
  );
  return new Promise(resolve => {
    quickPick.onDidChangeValue(() => update());
    quickPick.onDidAccept(() => {
      const picked = quickPick.selectedItems[0]?.person ?? parseIdentity(quickPick.value);
      if (!picked) {
        quickPick.placeholder = 'Pick a person, or type one as namespace:id (e.g. ECID:123).';
        return;
      }
      resolve(picked);
      quickPick.hide();
    });
    quickPick.onDidHide(() => {
      cts.cancel();
      cts.dispose();
      resolve(undefined);
      quickPick.dispose();
    });
    quickPick.show();
  });
}

/** `namespace:id` (spaces around either part ignored); the ID may itself contain colons. */
export function parseIdentity(text: string): PreviewIdentity | undefined {
  const m = /^\s*([^:\s]+)\s*:\s*(\S.*?)\s*$/.exec(text);
  return m ? { namespace: m[1], id: m[2] } : undefined;
}
