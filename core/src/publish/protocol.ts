/**
 * Types of the publish protocol (HTTP, `/v1`). They mirror the JSON Schemas in
 * `schemas/protocol/`, which are normative; docs/protocol.md describes the routes.
 * Shared by the reference endpoint and the publishing client.
 */

export interface Identity {
  namespace: string;
  id: string;
}

export type Refresh = 'once' | 'every 4 hours' | 'daily' | 'weekly' | 'monthly';
export const REFRESH_VALUES: readonly Refresh[] = ['once', 'every 4 hours', 'daily', 'weekly', 'monthly'];

export type MembershipStatus = 'realized' | 'existing' | 'exited';
export type AudienceStatus = 'draft' | 'publishing' | 'active' | 'expired';
export type RunStatus = 'open' | 'committed' | 'aborted';
export type Role = 'admin' | 'user';

/** Body of `POST /v1/audiences` and `PUT /v1/audiences/{id}` (schemas/protocol/audience-input.json). */
export interface AudienceMetadata {
  name: string;
  description?: string;
  tags?: string[];
  filterId: string;
  /** The filter and every filter it references (at most 20). */
  filters?: string[];
  definitionHash: string;
  refresh: Refresh;
  lookbackDays: number;
  /** `YYYY-MM-DD`, at most 13 months ahead. */
  expires: string;
  namespaces: string[];
  owner?: string;
}

/** schemas/protocol/audience.json */
export interface Audience extends AudienceMetadata {
  id: string;
  owner: string;
  description: string;
  tags: string[];
  revision: number;
  status: AudienceStatus;
  size: number;
  audienceVersion: number;
  lastRefreshedAt: string | null;
  openRunId: string | null;
  createdAt: string;
  updatedAt: string;
  createdBy: string;
}

export interface AudienceList {
  audiences: Audience[];
  nextCursor: string | null;
}

export interface MembersPage {
  audienceId: string;
  audienceVersion: number;
  members: Identity[];
  nextCursor: string | null;
}

export interface CommitResult {
  audienceVersion: number;
  entered: number;
  existing: number;
  exited: number;
  total: number;
}

/** schemas/protocol/run.json */
export interface Run {
  id: string;
  audienceId: string;
  status: RunStatus;
  createdAt: string;
  createdBy: string;
  definitionHash?: string | null;
  receivedBatches: number[];
  stagedIdentities: number;
  committedAt: string | null;
  result: CommitResult | null;
  /** For an open run: when it expires unless it receives a batch (the endpoint's idle limit). */
  expiresAt?: string | null;
  /** For an aborted run: who aborted it and why, or that it expired. */
  abortReason?: string | null;
}

export interface BatchReceipt {
  runId: string;
  number: number;
  identities: number;
  sha256: string;
  duplicate: boolean;
}

export interface ProfileMembership {
  audienceId: string;
  audienceName: string;
  status: MembershipStatus;
  lastQualificationTime: string;
  exitedAt?: string;
  audienceVersion: number;
  audienceDeleted: boolean;
}

export interface Profile {
  identity: Identity;
  memberships: ProfileMembership[];
}

export interface UserAccess {
  audiencePublishing: boolean;
  source: 'role' | 'grant' | null;
  grantedBy?: string;
  grantedAt?: string;
}

export interface User {
  id: string;
  name: string;
  role: Role;
  createdAt: string;
  access: UserAccess;
}

export interface UserCreated {
  user: User;
  token: string;
}

/** Body of every non-2xx answer (schemas/protocol/error.json). */
export interface ErrorBody {
  error: {
    code: string;
    message: string;
    field?: string;
    permission?: string;
    runId?: string;
    audienceId?: string;
    missingBatches?: number[];
    retryAfterSeconds?: number;
  };
}

/** The permission that allows creating, changing, publishing and deleting audiences. */
export const AUDIENCE_PUBLISHING = 'audience-publishing';
export const PROTOCOL_VERSION = 'v1';
