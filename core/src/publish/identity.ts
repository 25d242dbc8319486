import { Identity } from './protocol';

/** Same patterns as schemas/protocol/common.json (a test keeps them equal). */
export const NAMESPACE_PATTERN = '^[A-Za-z][A-Za-z0-9_.-]{0,63}$';
export const IDENTITY_ID_PATTERN = '^(?=.*\\S)[^\\u0000-\\u001F\\u007F]+$';
export const IDENTITY_ID_MAX_LENGTH = 1024;

const namespaceRe = new RegExp(NAMESPACE_PATTERN, 'u');
const idRe = new RegExp(IDENTITY_ID_PATTERN, 'u');

export type LeftOutReason = 'namespace-not-allowed' | 'invalid-id' | 'invalid-namespace' | 'duplicate';

/** Why an identity cannot be published, or undefined when it can (duplicates are checked elsewhere). */
export function identityProblem(identity: unknown, allowed: ReadonlySet<string>): Exclude<LeftOutReason, 'duplicate'> | undefined {
  if (typeof identity !== 'object' || identity === null) return 'invalid-id';
  const { namespace, id } = identity as Partial<Identity>;
  if (typeof namespace !== 'string' || !namespaceRe.test(namespace)) return 'invalid-namespace';
  if (!allowed.has(namespace)) return 'namespace-not-allowed';
  if (typeof id !== 'string' || id.length > IDENTITY_ID_MAX_LENGTH || !idRe.test(id)) return 'invalid-id';
  return undefined;
}

/** A collision-free key of an identity (namespaces cannot contain NUL). */
export function identityKey(identity: Identity): string {
  return `${identity.namespace}\u0000${identity.id}`;
}
