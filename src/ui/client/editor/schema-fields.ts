/** Which input a JSON Schema calls for in the editor's forms (./schema-form.tsx). Pure, unit-tested. */

export interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  anyOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  default?: unknown;
  description?: string;
  minimum?: number;
  maximum?: number;
}

type FieldKind =
  | { kind: 'text' }
  | { kind: 'number'; integer: boolean; min?: number; max?: number; expression: boolean }
  | { kind: 'select'; options: string[]; expression: boolean }
  | { kind: 'boolean'; expression: boolean }
  | { kind: 'object'; schema: JsonSchema }
  | { kind: 'json' };

const typesOf = (s: JsonSchema): string[] => (Array.isArray(s.type) ? s.type : s.type ? [s.type] : []);

/** The input a schema calls for. A union with a plain string is the "value or expression" form: the value decides. */
export function fieldKind(schema: JsonSchema): FieldKind {
  const alternatives = schema.anyOf ?? [schema];
  // A field that also takes any string (beside its enum, number or yes/no) takes an expression there.
  const expression = alternatives.some((a) => typesOf(a).includes('string') && !Array.isArray(a.enum));
  const withEnum = alternatives.find((a) => Array.isArray(a.enum));
  if (withEnum) return { kind: 'select', options: withEnum.enum!.map(String), expression };
  const types = new Set(alternatives.flatMap(typesOf));
  const object = alternatives.find((a) => typesOf(a).includes('object') && a.properties);
  if (object && alternatives.length === 1) return { kind: 'object', schema: object };
  if (types.has('object') || types.has('array') || types.size === 0) return { kind: 'json' };
  if (types.has('boolean')) return { kind: 'boolean', expression };
  const numeric = alternatives.find((a) => typesOf(a).some((t) => t === 'number' || t === 'integer'));
  if (numeric) return { kind: 'number', integer: typesOf(numeric).includes('integer'), min: numeric.minimum, max: numeric.maximum, expression };
  return { kind: 'text' };
}
