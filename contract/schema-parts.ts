/** Small TypeBox building blocks shared by the contract's schema files. */
import { Type, type TSchema, type TUnsafe } from '@sinclair/typebox';

export const NonEmptyString = (must = 'be a non-empty string') => Type.String({ minLength: 1, 'x-must': must });

/** A string from a fixed list, as one JSON Schema `enum` (clearer errors than an anyOf of consts). */
export function StringEnum<const T extends readonly string[]>(values: T, options: Record<string, unknown> = {}): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
}

/** Any JSON object (not an array, not null); its keys are not checked. */
export const AnyObject = (options: Record<string, unknown> = {}) =>
  Type.Unsafe<Record<string, unknown>>({ type: 'object', 'x-must': 'be an object', ...options });

export const Nullable = <T extends TSchema>(schema: T, must: string) => Type.Union([schema, Type.Null()], { 'x-must': must });
