import { AudienceMetadata } from './protocol';

/** Product limits of SPEC §6, shared by the language server, the client and the endpoint. */
export const AUDIENCE_LIMITS = {
  maxIdentities: 20_000_000,
  maxFilters: 20,
  maxLookbackDays: 90,
  maxExpiryMonths: 13,
} as const;

export interface LimitIssue {
  code: 'limit_exceeded' | 'invalid';
  /** JSON Pointer of the metadata field at fault. */
  field: string;
  message: string;
}

/** `YYYY-MM-DD` to a UTC date, or undefined when it is not a real calendar date. */
export function parseCalendarDate(text: string): Date | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return undefined;
  return date;
}

/** The last allowed expiry day: `now` plus 13 calendar months (clamped to the month's end). */
export function latestExpiry(now: Date, months: number = AUDIENCE_LIMITS.maxExpiryMonths): Date {
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth() + months;
  const lastDay = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  return new Date(Date.UTC(y, m, Math.min(now.getUTCDate(), lastDay)));
}

/**
 * Checks the limits that JSON Schema cannot express (dates relative to now) and repeats the
 * ones it can, so a client finds every issue before anything is sent.
 */
export function checkAudienceLimits(meta: AudienceMetadata, now: Date = new Date(), identities?: number): LimitIssue[] {
  const issues: LimitIssue[] = [];
  if (!Number.isInteger(meta.lookbackDays) || meta.lookbackDays < 1 || meta.lookbackDays > AUDIENCE_LIMITS.maxLookbackDays) {
    issues.push({ code: 'limit_exceeded', field: '/lookbackDays', message: `lookback must be 1 to ${AUDIENCE_LIMITS.maxLookbackDays} days, got ${meta.lookbackDays}` });
  }
  const expires = parseCalendarDate(meta.expires);
  const today = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  if (!expires) {
    issues.push({ code: 'invalid', field: '/expires', message: `expires must be a calendar date YYYY-MM-DD, got "${meta.expires}"` });
  } else if (expires < today) {
    issues.push({ code: 'invalid', field: '/expires', message: `expires ${meta.expires} is in the past` });
  } else if (expires > latestExpiry(today)) {
    issues.push({ code: 'limit_exceeded', field: '/expires', message: `expires ${meta.expires} is more than ${AUDIENCE_LIMITS.maxExpiryMonths} months ahead (latest ${latestExpiry(today).toISOString().slice(0, 10)})` });
  }
  if (meta.filters && meta.filters.length > AUDIENCE_LIMITS.maxFilters) {
    issues.push({ code: 'limit_exceeded', field: '/filters', message: `an audience may use at most ${AUDIENCE_LIMITS.maxFilters} filters, got ${meta.filters.length}` });
  }
  if (identities !== undefined && identities > AUDIENCE_LIMITS.maxIdentities) {
    issues.push({ code: 'limit_exceeded', field: '/identities', message: `an audience may hold at most ${AUDIENCE_LIMITS.maxIdentities.toLocaleString('en-US')} identities, got ${identities.toLocaleString('en-US')}` });
  }
  return issues;
}
