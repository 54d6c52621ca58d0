/**
 * What every route may answer besides its own responses, added to the
 * OpenAPI document so it tells the truth (API fuzzers check it): the front
 * door's answers (400, 401, 403, 404, 413, 415, 421, 422, 429) by where they apply. Also
 * which methods a documented path takes, for 405 answers.
 */
type Doc = { paths?: Record<string, Record<string, { responses?: Record<string, unknown> }>> };

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];
const WRITES = new Set(['post', 'put', 'patch', 'delete']);
const PROBES = new Set(['/healthz', '/readyz']);

export function completeResponses<T>(document: T): T {
  const doc = document as Doc;
  // A problem response the document already has: its content is every front-door answer's.
  const sample = Object.values(doc.paths ?? {})
    .flatMap((ops) => Object.values(ops))
    .flatMap((op) => Object.values(op.responses ?? {}))
    .find(
      (r): r is { content: Record<string, unknown> } =>
        typeof r === 'object' && r !== null && 'content' in r && 'application/problem+json' in ((r as { content: object }).content ?? {}),
    );
  if (!sample) return document;
  const problem = (description: string) => ({ description, content: { 'application/problem+json': sample.content['application/problem+json'] } });
  for (const [path, ops] of Object.entries(doc.paths ?? {})) {
    for (const [method, op] of Object.entries(ops)) {
      if (!METHODS.includes(method)) continue;
      const responses = (op.responses ??= {});
      const add = (status: string, description: string) => {
        responses[status] ??= problem(description);
      };
      if (!PROBES.has(path)) add('421', 'The Host is not one this server answers for (PUBLIC_URL)');
      if (!path.startsWith('/v1/')) continue;
      add('401', 'Missing or wrong credential');
      // Every /v1 route but webhooks is checked against the caller's role in the request's project (src/api/authorize.ts).
      if (!path.startsWith('/v1/hooks/')) {
        add('403', "The caller's role in the project lacks this route's permission, or a request from another site");
        add('404', 'The project (Braid-Project, ?project=) does not exist or the caller has no role in it, or what the path names does not');
      }
      add('422', 'A path parameter, query or body that is not valid, each problem named');
      add('429', 'Too many requests, or too many failed authentications from this address');
      if (WRITES.has(method)) {
        add('400', 'A body that is not valid JSON');
        add('403', 'A request from another site (Origin, Sec-Fetch-Site)');
        add('413', 'Body larger than MAX_BODY_BYTES');
        add('415', 'Body that is not JSON');
      }
    }
  }
  return document;
}

/** The documented methods of the path that matches `path`, or undefined when none does. */
export function documentedMethods(doc: unknown, path: string): string[] | undefined {
  for (const [template, ops] of Object.entries((doc as Doc).paths ?? {})) {
    const pattern = new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\\{[^}]+\\\}|\{[^}]+\}/g, '[^/]+')}$`);
    if (pattern.test(path))
      return Object.keys(ops)
        .filter((m) => METHODS.includes(m))
        .map((m) => m.toUpperCase());
  }
  return undefined;
}
