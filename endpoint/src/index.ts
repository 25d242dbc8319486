export { startEndpoint, EndpointOptions, RunningEndpoint, routes } from './server';
export { main, parseEndpointArgs, EndpointArgs } from './main';
export { FaultOptions } from './faults';
export { RateLimitOptions } from './rateLimit';
export { benchPublish, BenchResult } from './bench';
