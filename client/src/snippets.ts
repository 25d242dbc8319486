/**
 * Snippets for the common rule shapes (`snippets/audience-filter.json`), offered as you type their
 * prefix: `ev` → `event where …`, `then` → a sequence with a time limit, `exc` → an exclude after,
 * and at a top-level key `filter` (an empty file's skeleton) and `audience` (when the filter has
 * none). Not contributed as plain `contributes.snippets`, which VS Code offers at every position
 * (after a dimension, among the operators; among the YAML keys): here they appear only where the
 * shape fits and only once a prefix is typed.
 */
import * as fs from 'fs';
import * as vscode from 'vscode';

interface Snippet { prefix: string; description: string; body: string[] }

const TOP_LEVEL = new Set(['filter', 'audience']);

export class RuleSnippets implements vscode.CompletionItemProvider {
  private readonly snippets: Array<[string, Snippet]>;

  constructor(file: string) {
    this.snippets = Object.entries(JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, Snippet>);
  }

  provideCompletionItems(document: vscode.TextDocument, position: vscode.Position): vscode.CompletionItem[] {
    const word = document.getWordRangeAtPosition(position, /[A-Za-z_]+/);
    if (!word || word.start.isEqual(position)) return [];
    const typed = document.getText(new vscode.Range(word.start, position)).toLowerCase();
    const text = document.getText();
    const where = placeOf(document, position.line, word.start.character);
    return this.snippets
      .filter(([, s]) => {
        if (TOP_LEVEL.has(s.prefix)) {
          if (where !== 'top') return false;
          return s.prefix === 'filter' ? !/^filter[ \t]*:/m.test(text) : !/^audience[ \t]*:/m.test(text);
        }
        return where === 'rule' && s.prefix.split(' ').some(w => w.startsWith(typed));
      })
      .map(([name, s]) => {
        const item = new vscode.CompletionItem({ label: s.prefix, description: name }, vscode.CompletionItemKind.Snippet);
        item.insertText = new vscode.SnippetString(s.body.join('\n'));
        item.range = new vscode.Range(word.start, position);
        item.filterText = s.prefix;
        item.detail = s.description;
        item.documentation = new vscode.MarkdownString().appendCodeblock(s.body.join('\n').replace(/\$\{\d+\|([^,|]*)[^|]*\|\}/g, '$1').replace(/\$\{\d+:([^}]*)\}/g, '$1').replace(/\$\d+/g, ''), 'yaml');
        return item;
      });
  }
}

/** Where a word at (line, column) is: a top-level key, inside the `rule:` block, or elsewhere. */
function placeOf(document: vscode.TextDocument, line: number, column: number): 'top' | 'rule' | 'other' {
  if (column === 0) return 'top';
  for (let i = line; i >= 0; i--) {
    const l = document.lineAt(i).text;
    if (/^rule[ \t]*:/.test(l)) return 'rule';
    if (i < line && /^\S/.test(l)) return 'other';
  }
  return 'other';
}
