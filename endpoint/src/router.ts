import { PARAM_PATTERNS, Route } from './api';

export type RouteMatch =
  | { kind: 'found'; route: Route; params: Record<string, string> }
  | { kind: 'method-not-allowed'; allow: string[] }
  | { kind: 'bad-path'; message: string }
  | { kind: 'not-found' };

/**
 * Splits the raw request path into decoded segments. Dot segments, encoded slashes or
 * backslashes and NUL are refused outright: the endpoint serves no files, but a path that
 * tries to climb is a client error, not something to normalise.
 */
export function pathSegments(rawPath: string): string[] | { error: string } {
  if (!rawPath.startsWith('/')) return { error: 'path must start with /' };
  const parts = rawPath.slice(1).split('/');
  const out: string[] = [];
  for (const part of parts) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(part);
    } catch {
      return { error: 'path contains malformed percent-encoding' };
    }
    if (decoded === '.' || decoded === '..' || /[/\\\u0000]/.test(decoded)) return { error: 'path contains a dot segment, slash, backslash or NUL' };
    out.push(decoded);
  }
  if (out.length > 1 && out[out.length - 1] === '') out.pop();
  return out;
}

export class Router {
  constructor(readonly routes: Route[]) {}

  match(method: string, rawPath: string): RouteMatch {
    const segments = pathSegments(rawPath);
    if (!Array.isArray(segments)) return { kind: 'bad-path', message: segments.error };
    const allow: string[] = [];
    for (const route of this.routes) {
      const params = matchPath(route.path, segments);
      if (!params) continue;
      if (route.method === method) return { kind: 'found', route, params };
      allow.push(route.method);
    }
    return allow.length ? { kind: 'method-not-allowed', allow } : { kind: 'not-found' };
  }
}

function matchPath(pattern: string, segments: string[]): Record<string, string> | undefined {
  const parts = pattern.slice(1).split('/');
  if (parts.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    if (p.startsWith(':')) {
      const name = p.slice(1);
      if (!PARAM_PATTERNS[name].test(segments[i])) return undefined;
      params[name] = segments[i];
    } else if (p !== segments[i]) {
      return undefined;
    }
  }
  return params;
}
