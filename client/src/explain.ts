import * as vscode from 'vscode';
import type { ExplainResult, PreviewIdentity } from '../../server/src/protocol';
import type { FilterServer } from './preview/filterServer';
import type { PreviewPanel } from './preview/previewPanel';

/**
 * `audienceFilters.explain [uri] [person]`: explains one person in the preview panel. Without a
 * person, offers the filter's sample identities in a quick pick (or an identity typed in as
 * `namespace:id`).
 */
export async function explainCommand(panel: PreviewPanel, server: FilterServer, document: vscode.TextDocument, person?: PreviewIdentity): Promise<ExplainResult | undefined> {
  const who = person ?? (await pickIdentity(panel, server, document));
  if (!who) return undefined;
  return panel.explain(document, who);
}

async function pickIdentity(panel: PreviewPanel, server: FilterServer, document: vscode.TextDocument): Promise<PreviewIdentity | undefined> {
  const quickPick = vscode.window.createQuickPick<vscode.QuickPickItem & { person?: PreviewIdentity }>();
  quickPick.title = `Explain a person — ${vscode.workspace.asRelativePath(document.uri)}`;
  quickPick.placeholder = 'Pick a sample identity of the audience, or type namespace:id';
  quickPick.matchOnDescription = true;
  quickPick.busy = true;
  const known = panel.shownDocument === document ? panel.result : undefined;
  const setItems = (sample: PreviewIdentity[], total: number) => {
    quickPick.items = sample.map(p => ({ label: p.id, description: p.namespace, person: p }));
    quickPick.busy = false;
    quickPick.placeholder = `${sample.length} of ${total} matched people — pick one, or type namespace:id`;
  };
  if (known) setItems(known.sample, known.matched.people);
  else {
    server.preview({ uri: document.uri.toString(), breakdown: null }).then(
      r => {
        if (r.status === 'ok') setItems(r.sample, r.matched.people);
        else {
          quickPick.busy = false;
          quickPick.placeholder = `${r.message} Type namespace:id to explain someone.`;
        }
      },
      (e: unknown) => {
        quickPick.busy = false;
        quickPick.placeholder = e instanceof Error ? e.message : String(e);
      },
    );
  }
  return new Promise(resolve => {
    quickPick.onDidAccept(() => {
      const picked = quickPick.selectedItems[0]?.person ?? parseIdentity(quickPick.value);
      if (!picked) {
        quickPick.placeholder = 'Pick an identity, or type one as namespace:id (e.g. ECID:123).';
        return;
      }
      resolve(picked);
      quickPick.hide();
    });
    quickPick.onDidHide(() => {
      resolve(undefined);
      quickPick.dispose();
    });
    quickPick.show();
  });
}

function parseIdentity(text: string): PreviewIdentity | undefined {
  const m = /^\s*([^:\s]+)\s*:\s*(\S.*?)\s*$/.exec(text);
  return m ? { namespace: m[1], id: m[2] } : undefined;
}
