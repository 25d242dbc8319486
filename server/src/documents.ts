import { fileURLToPath, pathToFileURL } from 'url';

/** Workspace keys are file system paths for `file:` URIs and the URI itself otherwise. */
export function uriToKey(uri: string): string {
  return uri.startsWith('file:') ? fileURLToPath(uri) : uri;
}

export function keyToUri(key: string): string {
  return key.includes('://') || key.startsWith('untitled:') ? key : pathToFileURL(key).toString();
}
