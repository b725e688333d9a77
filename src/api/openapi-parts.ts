/**
 * Small builders the OpenAPI document's parts share: a zod schema as JSON Schema, a component
 * reference, a JSON body. (openapi.ts and connect-openapi.ts still carry their own copies.)
 */
import { z } from 'zod';

type Json = Record<string, unknown>;

/** A zod schema as JSON Schema, as the request (`input`) or the answer (`output`) reads it. */
export function schemaOf(schema: z.ZodType, io: 'input' | 'output'): Json {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Json;
  return rest;
}

/** A reference to a component schema. */
export const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });

/** A JSON content entry. */
export const json = (schema: Json): Json => ({ content: { 'application/json': { schema } } });
