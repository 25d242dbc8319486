/** Zero-based position, as in LSP. `character` counts UTF-16 code units. */
export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export type Severity = 'error' | 'warning' | 'information' | 'hint';

/** A finding of the core. Codes are stable and documented in docs/language.md. */
export interface Diagnostic {
  range: Range;
  severity: Severity;
  code: string;
  message: string;
  /** Fix candidates for quick fixes (e.g. `{ replacements: ['page_name'] }`), so fixes never re-validate. */
  data?: DiagnosticData;
  /** Other places in the same file that explain it (LSP `relatedInformation`). */
  related?: Array<{ range: Range; message: string }>;
}

export interface DiagnosticData {
  /** Replacement texts for the diagnostic's range ("did you mean"). */
  replacements?: string[];
  /** A whole edit that fixes the fault, in file offsets. */
  edits?: TextEdit[];
  /** A setting that resolves the fault (the quick fix opens it), e.g. `audienceFilters.data.allowedFolders`. */
  setting?: string;
}

export interface TextEdit {
  range: Range;
  newText: string;
}

export function rangeOf(startLine: number, startChar: number, endLine: number, endChar: number): Range {
  return { start: { line: startLine, character: startChar }, end: { line: endLine, character: endChar } };
}

/** A finding located by file offsets; turned into a `Diagnostic` with the file's `LineIndex`. */
export interface Problem {
  start: number;
  end: number;
  severity: Severity;
  code: string;
  message: string;
  data?: DiagnosticData;
  related?: Array<{ start: number; end: number; message: string }>;
}
