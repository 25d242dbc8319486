import { createHash, randomBytes } from 'crypto';
import type { Database } from 'better-sqlite3';
import { AUDIENCE_PUBLISHING, User } from '../../core/src/publish/protocol';
import { AuthUser, Route, apiError, json } from './api';

interface UserRow {
  seq: number;
  id: string;
  name: string;
  role: 'admin' | 'user';
  publishing_granted_by: string | null;
  publishing_granted_at: string | null;
  created_at: string;
}

/** Tokens are stored only as SHA-256 hashes; a leaked database does not leak tokens. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function newToken(): string {
  return `af_${randomBytes(32).toString('base64url')}`;
}

export function newId(prefix: string, bytes = 8): string {
  return `${prefix}_${randomBytes(bytes).toString('hex')}`;
}

export function userFromToken(db: Database, token: string): AuthUser | undefined {
  const row = db.prepare('SELECT * FROM users WHERE token_hash = ?').get(hashToken(token)) as UserRow | undefined;
  return row && toAuthUser(row);
}

function toAuthUser(row: UserRow): AuthUser {
  return { seq: row.seq, id: row.id, name: row.name, role: row.role, publishing: row.role === 'admin' || row.publishing_granted_at !== null };
}

function toUser(row: UserRow): User {
  const access: User['access'] = row.role === 'admin'
    ? { audiencePublishing: true, source: 'role' }
    : row.publishing_granted_at !== null
      ? { audiencePublishing: true, source: 'grant', grantedBy: row.publishing_granted_by ?? undefined, grantedAt: row.publishing_granted_at }
      : { audiencePublishing: false, source: null };
  return { id: row.id, name: row.name, role: row.role, createdAt: row.created_at, access };
}

export function userCount(db: Database): number {
  return (db.prepare('SELECT count(*) AS n FROM users').get() as { n: number }).n;
}

/** Gives the user named `admin` this token, creating it (as the first admin) when needed. */
export function installAdminToken(db: Database, token: string, now: Date): void {
  db.transaction(() => {
    const existing = db.prepare("SELECT seq FROM users WHERE name = 'admin'").get() as { seq: number } | undefined;
    if (existing) {
      db.prepare("UPDATE users SET token_hash = ?, role = 'admin' WHERE seq = ?").run(hashToken(token), existing.seq);
    } else {
      db.prepare("INSERT INTO users (id, name, role, token_hash, created_at) VALUES (?, 'admin', 'admin', ?, ?)").run(newId('usr'), hashToken(token), now.toISOString());
    }
  }).immediate();
}

function findUser(db: Database, id: string): UserRow | undefined {
  return db.prepare('SELECT * FROM users WHERE id = ?').get(id) as UserRow | undefined;
}

const notFound = (id: string) => apiError(404, 'user_not_found', `No user ${id}.`, { field: 'userId' });

export const userRoutes: Route[] = [
  {
    method: 'GET', path: '/v1/me', access: 'user',
    handle: ({ db, user }) => json(200, toUser(findUser(db, user.id) as UserRow)),
  },
  {
    method: 'GET', path: '/v1/users', access: 'admin',
    handle: ({ db }) => json(200, { users: (db.prepare('SELECT * FROM users ORDER BY seq').all() as UserRow[]).map(toUser) }),
  },
  {
    method: 'POST', path: '/v1/users', access: 'admin', bodySchema: 'user-create.json',
    handle: ({ db, body, now }) => {
      const { name, role } = body as { name: string; role: 'admin' | 'user' };
      if (db.prepare('SELECT 1 FROM users WHERE name = ?').get(name)) return apiError(409, 'user_exists', `A user named "${name}" exists.`, { field: '/name' });
      const token = newToken();
      const id = newId('usr');
      db.prepare('INSERT INTO users (id, name, role, token_hash, created_at) VALUES (?, ?, ?, ?, ?)').run(id, name, role, hashToken(token), now.toISOString());
      return json(201, { user: toUser(findUser(db, id) as UserRow), token }, { location: `/v1/users/${id}` });
    },
  },
  {
    method: 'GET', path: '/v1/users/:userId', access: 'admin',
    handle: ({ db, params }) => {
      const row = findUser(db, params.userId);
      return row ? json(200, toUser(row)) : notFound(params.userId);
    },
  },
  {
    method: 'POST', path: '/v1/users/:userId/token', access: 'admin',
    handle: ({ db, params }) => {
      const row = findUser(db, params.userId);
      if (!row) return notFound(params.userId);
      const token = newToken();
      db.prepare('UPDATE users SET token_hash = ? WHERE seq = ?').run(hashToken(token), row.seq);
      return json(200, { user: toUser(row), token });
    },
  },
  {
    method: 'PUT', path: `/v1/users/:userId/permissions/${AUDIENCE_PUBLISHING}`, access: 'admin',
    handle: ({ db, params, user, now }) => {
      const row = findUser(db, params.userId);
      if (!row) return notFound(params.userId);
      if (row.role === 'user' && row.publishing_granted_at === null) {
        db.prepare('UPDATE users SET publishing_granted_by = ?, publishing_granted_at = ? WHERE seq = ?').run(user.name, now.toISOString(), row.seq);
      }
      return json(200, toUser(findUser(db, params.userId) as UserRow));
    },
  },
  {
    method: 'DELETE', path: `/v1/users/:userId/permissions/${AUDIENCE_PUBLISHING}`, access: 'admin',
    handle: ({ db, params }) => {
      const row = findUser(db, params.userId);
      if (!row) return notFound(params.userId);
      if (row.role === 'admin') {
        return apiError(409, 'permission_implicit', `User "${row.name}" is an admin and holds Audience Publishing through the role; it cannot be revoked.`);
      }
      db.prepare('UPDATE users SET publishing_granted_by = NULL, publishing_granted_at = NULL WHERE seq = ?').run(row.seq);
      return json(200, toUser(findUser(db, params.userId) as UserRow));
    },
  },
];
