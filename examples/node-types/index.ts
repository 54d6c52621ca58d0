/**
 * Custom node types, as a team adds them without forking Braid. Load them in
 * the API and the worker with
 *
 *   BRAID_NODE_TYPES=examples/node-types/index.ts npm start
 *
 * then use `{ "id": "slug", "type": "slugify", "data": { "text": "{% $input.title %}" } }`
 * in a graph like any built-in node.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { defineNodeType } from '../../src/node-types';

export default [
  defineNodeType({
    type: 'slugify',
    description: 'Turns a title into a URL slug',
    data: z
      .object({
        text: z.string().min(1, 'must not be empty'),
        separator: z.enum(['-', '_']).default('-'),
        maxLength: z.number().int().min(1).max(200).default(60),
      })
      .strict(),
    run: async ({ text, separator, maxLength }) => ({
      slug: text
        .normalize('NFKD')
        .replace(/[\u0300-\u036f]/g, '')
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, separator)
        .replace(new RegExp(`^\\${separator}+|\\${separator}+$`, 'g'), '')
        .slice(0, maxLength),
    }),
  }),
  defineNodeType({
    type: 'sha256',
    description: 'The SHA-256 of a text, in hex',
    data: z.object({ text: z.string() }).strict(),
    run: async ({ text }) => ({ sha256: createHash('sha256').update(text).digest('hex') }),
  }),
];
