import { NAMESPACE_PATTERN, IDENTITY_ID_MAX_LENGTH } from '../../core/src/publish/identity';
import { ProfileMembership } from '../../core/src/publish/protocol';
import { Route, apiError, json } from './api';

const namespaceRe = new RegExp(NAMESPACE_PATTERN, 'u');

export const profileRoutes: Route[] = [
  {
    method: 'GET', path: '/v1/profiles', access: 'user',
    handle: ({ db, query }) => {
      const namespace = query.get('namespace');
      const id = query.get('id');
      if (namespace === null || !namespaceRe.test(namespace)) return apiError(400, 'invalid', 'Query parameter namespace is required and must be a namespace code such as ECID or Email.', { field: 'namespace' });
      if (id === null || id.length === 0 || id.length > IDENTITY_ID_MAX_LENGTH) return apiError(400, 'invalid', 'Query parameter id is required (1 to 1024 characters).', { field: 'id' });
      const identity = db.prepare('SELECT nid FROM identities WHERE namespace = ? AND id = ?').get(namespace, id) as { nid: number } | undefined;
      if (!identity) return apiError(404, 'profile_not_found', `No profile for ${namespace} ${JSON.stringify(id)}.`);
      // Audience by audience (CROSS JOIN keeps that order), one primary-key look-up each.
      const rows = db.prepare(`
        SELECT a.id AS audienceId, a.metadata AS metadata, a.deleted_at AS deletedAt, m.status AS status, m.qualified_at AS qualifiedAt,
               m.exited_at AS exitedAt, m.version AS version
        FROM audiences a CROSS JOIN memberships m ON m.audience_seq = a.seq AND m.nid = ? ORDER BY a.seq`).all(identity.nid) as Array<{
          audienceId: string; metadata: string; deletedAt: string | null; status: ProfileMembership['status']; qualifiedAt: string; exitedAt: string | null; version: number;
        }>;
      const memberships: ProfileMembership[] = rows.map((r) => ({
        audienceId: r.audienceId,
        audienceName: (JSON.parse(r.metadata) as { name: string }).name,
        status: r.status,
        lastQualificationTime: r.qualifiedAt,
        ...(r.exitedAt ? { exitedAt: r.exitedAt } : {}),
        audienceVersion: r.version,
        audienceDeleted: r.deletedAt !== null,
      }));
      return json(200, { identity: { namespace, id }, memberships });
    },
  },
];
