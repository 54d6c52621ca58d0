/** Custom node types at the API: loading, validation with paths, OpenAPI. */
import { resolve } from 'node:path';
import type { Client } from '@temporalio/client';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app';
import { BUILT_IN_SPECS } from '../../src/graph/nodes';
import { nodeTypeListSchema, problemSchema } from '../../src/api/schemas';
import { silentLogger } from '../../src/logger';
import { defineNodeType, loadNodeTypes, NodeTypeError } from '../../src/node-types';
import { createFakeRunStore } from '../helpers/fake-run-store';

const examplePath = resolve(__dirname, '..', '..', 'examples', 'node-types', 'index.ts');

async function setup() {
  const nodeTypes = await loadNodeTypes(examplePath);
  const fake = createFakeRunStore();
  const app = createApp({
    client: {} as Client,
    config: { namespace: 'default', taskQueue: 'q', temporalUiUrl: 'http://ui', maxBodyBytes: 1 << 20, rateLimitPerMinute: 0 },
    logger: silentLogger,
    runStore: fake.store,
    nodeTypes,
  });
  const post = (path: string, body: unknown) =>
    app.request(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { app, post, fake, nodeTypes };
}

const withNode = (node: Record<string, unknown>) => ({
  nodes: [
    { id: 'start', type: 'trigger' },
    { id: 'n', ...node },
  ],
  edges: [{ source: 'start', target: 'n' }],
});

describe('custom node types', () => {
  it('loads the example module (BRAID_NODE_TYPES)', async () => {
    const { nodeTypes } = await setup();
    expect([...nodeTypes.keys()]).toEqual(['slugify', 'sha256']);
  });

  it("validates a custom node's data with the same paths and messages as built-in types", async () => {
    const { post } = await setup();
    const ok = await post('/v1/workflows/validate', withNode({ type: 'slugify', data: { text: 'Hello World' } }));
    expect(ok.status).toBe(200);
    const bad = await post('/v1/workflows/validate', withNode({ type: 'slugify', data: { text: '', separator: '/', extra: 1 } }));
    expect(bad.status).toBe(422);
    const errors = problemSchema.parse(await bad.json()).errors!;
    expect(errors.map((e) => e.path).sort()).toEqual(['$.nodes[1].data', '$.nodes[1].data.separator', '$.nodes[1].data.text']);
    expect(errors.find((e) => e.path === '$.nodes[1].data.text')!.message).toBe('must not be empty');
    // The same check on start.
    const start = await post('/v1/runs', { workflow: withNode({ type: 'slugify', data: { text: '' } }) });
    expect(start.status).toBe(422);
    expect(problemSchema.parse(await start.json()).errors).toEqual([{ path: '$.workflow.nodes[1].data.text', message: 'must not be empty' }]);
  });

  it('leaves a field written as an expression to be checked once evaluated, but compiles it', async () => {
    const { post } = await setup();
    expect((await post('/v1/workflows/validate', withNode({ type: 'slugify', data: { text: '{% $input.title %}' } }))).status).toBe(200);
    const broken = await post('/v1/workflows/validate', withNode({ type: 'slugify', data: { text: '{% $input.( %}' } }));
    expect(problemSchema.parse(await broken.json()).errors?.[0]?.path).toBe('$.nodes[1].data.text');
  });

  it('lists the custom types among the known ones for an unknown type', async () => {
    const { post } = await setup();
    const res = await post('/v1/workflows/validate', withNode({ type: 'slugfy', data: {} }));
    expect(problemSchema.parse(await res.json()).errors?.[0]?.message).toMatch(/known types: .*http.*slugify, sha256/);
  });

  it('documents each custom type in /openapi.json', async () => {
    const { app } = await setup();
    const doc = (await (await app.request('/openapi.json')).json()) as { components: { schemas: Record<string, { properties?: Record<string, unknown> }> } };
    expect(Object.keys(doc.components.schemas.NodeData_slugify!.properties ?? {})).toEqual(['text', 'separator', 'maxLength']);
    expect(doc.components.schemas.NodeData_sha256).toBeDefined();
  });

  it('refuses bad definitions', () => {
    const data = z.object({});
    const run = async () => null;
    expect(() => defineNodeType({ type: 'http', data, run })).toThrow(NodeTypeError);
    expect(() => defineNodeType({ type: 'has space', data, run })).toThrow(/name/);
    expect(() => defineNodeType({ type: 'x', data: {} as never, run })).toThrow(/zod/);
  });

  it('without BRAID_NODE_TYPES a custom type is unknown', async () => {
    expect((await loadNodeTypes(undefined)).size).toBe(0);
    await expect(loadNodeTypes('/no/such/file.ts')).rejects.toThrow(/cannot load BRAID_NODE_TYPES/);
  });

  it('lists every node type with its data schema and handles at GET /v1/node-types, custom ones included, and documents it', async () => {
    const { app } = await setup();
    const res = await app.request('/v1/node-types');
    expect(res.status).toBe(200);
    const { nodeTypes } = nodeTypeListSchema.parse(await res.json());
    // Every built-in type, in its registry's order (so a new one needs no change here), then the custom ones.
    expect(nodeTypes.map((t) => t.type)).toEqual([...BUILT_IN_SPECS.map((t) => t.type), 'sha256', 'slugify']);
    expect(nodeTypes.map((t) => t.type)).toEqual(
      expect.arrayContaining([
        'trigger',
        'http',
        'condition',
        'switch',
        'merge',
        'delay',
        'set',
        'approval',
        'wait',
        'activity',
        'subworkflow',
        'forEach',
        'fail',
      ]),
    );
    const byType = new Map(nodeTypes.map((t) => [t.type, t]));
    expect(byType.get('http')).toMatchObject({ category: 'action', custom: false, handles: [null], activity: true, local: true, cacheable: true });
    // The http data schema: url required, method an enum or an expression, no other keys.
    const http = byType.get('http')!.dataSchema as { required?: string[]; properties: Record<string, unknown>; additionalProperties?: unknown };
    expect(http.required).toContain('url');
    expect(JSON.stringify(http.properties.method)).toContain('"GET"');
    expect(http.additionalProperties).toBe(false);
    expect(byType.get('condition')!.handles).toEqual(['true', 'false']);
    // fail: in the palette's logic group, with no out-edge.
    expect(byType.get('fail')).toMatchObject({ category: 'logic', handles: [], activity: false });
    expect(byType.get('approval')!.handles).toEqual(['approved', 'rejected', 'timeout']);
    expect(byType.get('switch')).toMatchObject({ handles: ['default'], handlesFromData: 'data.cases[].handle' });
    // A custom type: its own zod schema, as JSON Schema.
    const slugify = byType.get('slugify')!;
    expect(slugify).toMatchObject({ custom: true, category: 'action', cacheable: true });
    expect((slugify.dataSchema as { properties: Record<string, unknown> }).properties).toHaveProperty('text');
    const doc = (await (await app.request('/openapi.json')).json()) as { paths: Record<string, unknown> };
    expect(doc.paths).toHaveProperty('/v1/node-types');
  });
});
