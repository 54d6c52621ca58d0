/**
 * The API token of the stacks tests, the chaos runner, the load script and
 * the benchmarks start on loopback (split stack, cluster, a bench API): the
 * API never answers /v1 without one, so every such client sends it.
 */
export const STACK_TOKEN = 'braid-loopback-stack-token-0123456789abcdef';
export const stackAuth: Record<string, string> = { authorization: `Bearer ${STACK_TOKEN}` };
