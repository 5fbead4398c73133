/**
 * Turns the errors of a compiled validator into messages people can act on: one per violated
 * field, naming it by its path. A schema node says what it wants with the `x-must` annotation
 * ("be a 26-char ULID" → `event_id must be a 26-char ULID`); a rule of no single field carries
 * its whole message in `x-message`; everything else gets a generic description of its schema.
 * Runtime code, no TypeBox and no Ajv: the errors must come from a validator compiled with
 * `verbose: true` (they then carry their schema node and the offending value).
 */
import type { ValidationError } from './validator.js';

export interface ViolationStyle {
  /** How the whole value is named when it is itself wrong: "envelope", "options". */
  root: string;
  /** How a field is named, from its dotted path ("payload.wp_id", "plugins[0].use"). */
  name?: (path: string) => string;
  /** Messages for the unknown keys found in one object (at `path`), given its known keys. */
  unknown?: (keys: string[], path: string, known: string[]) => string[];
  /** Append `, got <value as JSON>` to a field's message. */
  got?: boolean;
  /**
   * Order of the messages: dotted paths, `(unknown)` for unknown-key messages and `*` for
   * anything not listed. Unlisted without `*`: last. Ties keep the validator's order.
   */
  order?: readonly string[];
}

type Schema = Record<string, unknown>;

const UNKNOWN = '(unknown)';

/** `/plugins/0/use` → `plugins[0].use`. */
export function pointerToPath(pointer: string): string {
  if (pointer === '') return '';
  return pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((path, seg) => (/^\d+$/.test(seg) ? `${path}[${seg}]` : path ? `${path}.${seg}` : seg), '');
}

const join = (path: string, key: string) => (path ? `${path}.${key}` : key);
const isObject = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What a schema node wants, as the words after "must": "be a non-empty string". */
export function describeSchema(schema: Schema | undefined): string | undefined {
  if (!schema) return undefined;
  if (typeof schema['x-must'] === 'string') return schema['x-must'];
  if (Array.isArray(schema.enum)) return `be one of ${schema.enum.map((v) => JSON.stringify(v)).join(', ')}`;
  if ('const' in schema) return `be ${JSON.stringify(schema.const)}`;
  if (Array.isArray(schema.anyOf) || Array.isArray(schema.oneOf)) {
    const parts = ((schema.anyOf ?? schema.oneOf) as Schema[]).map(describeSchema);
    if (parts.some((p) => p === undefined)) return undefined;
    const all = parts as string[];
    return all.every((p) => p.startsWith('be ')) ? `be ${all.map((p) => p.slice(3)).join(' or ')}` : all.join(' or ');
  }
  const bounds = (unit: string) => {
    const b: string[] = [];
    if (typeof schema.minimum === 'number') b.push(`≥ ${schema.minimum}`);
    if (typeof schema.exclusiveMinimum === 'number') b.push(`> ${schema.exclusiveMinimum}`);
    if (typeof schema.maximum === 'number') b.push(`≤ ${schema.maximum}`);
    if (typeof schema.exclusiveMaximum === 'number') b.push(`< ${schema.exclusiveMaximum}`);
    return `be ${unit}${b.length ? ` ${b.join(' and ')}` : ''}`;
  };
  switch (schema.type) {
    case 'string':
      if (typeof schema.pattern === 'string') return `be a string matching ${schema.pattern}`;
      return schema.minLength === 1 ? 'be a non-empty string' : 'be a string';
    case 'number': return bounds('a number');
    case 'integer': return bounds('an integer');
    case 'boolean': return 'be true or false';
    case 'null': return 'be null';
    case 'object': return 'be an object';
    case 'array': {
      const b: string[] = [];
      if (typeof schema.minItems === 'number') b.push(`at least ${schema.minItems}`);
      if (typeof schema.maxItems === 'number') b.push(`at most ${schema.maxItems}`);
      return b.length ? `be an array of ${b.join(' and ')} items` : 'be an array';
    }
    default: return undefined;
  }
}

interface Finding {
  path: string;
  unknown: boolean;
  message: string;
}

const depth = (schemaPath: string) => schemaPath.split('/').length;

/** One message per violated field (and per unknown-key object, and per whole-value rule). */
export function describeViolations(errors: readonly ValidationError[] | null | undefined, style: ViolationStyle): string[] {
  const name = (path: string) => (path === '' ? style.root : style.name ? style.name(path) : path);
  const unknownMessages = style.unknown ??
    ((keys: string[], path: string) => keys.map((k) => `unknown key ${JSON.stringify(join(path, k))}`));

  // Per field path, the error of the outermost schema node: a union's own words beat its branches'.
  const fields = new Map<string, { error: ValidationError; schema: Schema | undefined; missing: boolean }>();
  const unknownKeys = new Map<string, { keys: string[]; known: string[] }>();
  const rules: Finding[] = [];

  for (const error of errors ?? []) {
    const at = pointerToPath(error.instancePath);
    const parent = error.parentSchema;
    if (error.keyword === 'if') continue; // a summary of the then/else errors, which are listed
    if (error.keyword === 'additionalProperties') {
      const entry = unknownKeys.get(at) ?? { keys: [], known: Object.keys((parent?.properties as Schema | undefined) ?? {}) };
      entry.keys.push(String(error.params.additionalProperty));
      unknownKeys.set(at, entry);
      continue;
    }
    if (parent && typeof parent['x-message'] === 'string') {
      if (!rules.some((r) => r.message === parent['x-message'])) rules.push({ path: at, unknown: false, message: parent['x-message'] });
      continue;
    }
    let path = at;
    let schema = parent;
    let missing = false;
    if (error.keyword === 'required') {
      const key = String(error.params.missingProperty);
      path = join(at, key);
      const props = parent?.properties;
      schema = isObject(props) && isObject(props[key]) ? props[key] : undefined;
      missing = true;
    }
    const seen = fields.get(path);
    if (!seen || depth(error.schemaPath) < depth(seen.error.schemaPath)) fields.set(path, { error, schema, missing });
  }

  const findings: Finding[] = [];
  for (const [path, { error, schema, missing }] of fields) {
    const must = describeSchema(schema);
    let message: string;
    if (must) message = `${name(path)} must ${must}`;
    else if (missing) message = `${name(path)} is required`;
    else message = `${name(path)} ${error.message ?? 'is invalid'}`;
    if (style.got && !missing) message += `, got ${JSON.stringify(error.data)}`;
    findings.push({ path, unknown: false, message });
  }
  for (const [path, { keys, known }] of unknownKeys) {
    for (const message of unknownMessages(keys, path, known)) findings.push({ path, unknown: true, message });
  }
  findings.push(...rules);

  const order = style.order ?? [];
  const rank = (f: Finding) => {
    const key = f.unknown ? UNKNOWN : f.path;
    let i = order.indexOf(key);
    if (i < 0) i = order.indexOf('*');
    return i < 0 ? order.length : i;
  };
  return findings.map((f, i) => ({ f, i, r: rank(f) }))
    .sort((a, b) => a.r - b.r || a.i - b.i)
    .map(({ f }) => f.message);
}
