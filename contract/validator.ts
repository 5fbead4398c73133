/**
 * The shape of a compiled (Ajv standalone) validator and of its errors, declared here so that
 * no contract user needs Ajv's types, let alone Ajv.
 */
export interface ValidationError {
  keyword: string;
  /** JSON Pointer of the offending value, `''` for the root. */
  instancePath: string;
  schemaPath: string;
  params: Record<string, unknown>;
  message?: string;
  /** With `verbose`: the schema node whose keyword failed, and the offending value. */
  parentSchema?: Record<string, unknown>;
  data?: unknown;
}

export interface CompiledValidator<T = unknown> {
  (data: unknown): data is T;
  errors?: ValidationError[] | null;
}
