/**
 * Custom LSP messages between the Audience Filters client and server. Imported by both sides;
 * plain method names and types only (no vscode or vscode-languageserver imports here).
 * Documented in docs/protocol.md.
 */

/** Request, client → server: how the server is doing (used by tests and the language status item). */
export const ServerStatusRequest = 'audienceFilters/serverStatus';
export interface ServerStatus {
  running: true;
  /** Number of files the server has checked (open or on disk). */
  checkedFiles: number;
  /** Number of errors over all checked files. */
  errors: number;
  warnings: number;
  /** ISO time of the last check. */
  lastCheck: string | null;
}

/** Notification, server → client: sent after each check, feeds the language status item. */
export const StatusNotification = 'audienceFilters/status';
export interface StatusParams extends ServerStatus {
  /** The data view of the file that was just checked, if any. */
  dataView?: string;
  uri?: string;
}
