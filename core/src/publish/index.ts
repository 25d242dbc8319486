export * from './protocol';
export * from './errors';
export * from './limits';
export * from './identity';
export * from './leftOut';
export { RetryOptions, DEFAULT_RETRY } from './retry';
export { EndpointClient, EndpointClientOptions, checkEndpointUrl } from './client';
export { planPublish, PublishPlan, PublishInputs, PlanOptions, MembershipDiff, IdentitySource, AudienceTarget } from './plan';
export { publish, PublishOptions, PublishProgress, PublishResult } from './publish';
