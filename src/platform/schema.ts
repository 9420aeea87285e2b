/**
 * Schema helpers shared by every feature's `schemas.ts`.
 *
 * `Nullable` writes `{"type": ["integer", "null"]}` rather than an `anyOf` of the
 * two: Fastify's Ajv coerces types (query strings need it), and inside an
 * `anyOf` it turns a JSON `null` into `0` or `""` through the first branch;
 * with a type array Ajv coerces only when no listed type matches.
 */
import { Type, type Static, type TSchema } from 'typebox';

/** `schema` or null. Primitive schemas and enums become type arrays; objects an `anyOf` (responses only). */
export function Nullable<T extends TSchema>(schema: T) {
  const s = schema as unknown as Record<string, unknown>;
  if (Array.isArray(s.enum)) {
    const types = [...new Set((s.enum as unknown[]).map((v) => typeof v))];
    return Type.Unsafe<Static<T> | null>({ ...s, type: [...types, 'null'], enum: [...(s.enum as unknown[]), null] });
  }
  if (typeof s.type === 'string' && s.type !== 'object' && s.type !== 'array') {
    return Type.Unsafe<Static<T> | null>({ ...s, type: [s.type, 'null'] });
  }
  return Type.Union([schema, Type.Null()]);
}
