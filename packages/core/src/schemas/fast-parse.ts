import { z } from 'zod';

/**
 * The body schemas' accept path, derived from the schemas themselves: `fastParser(schema)` walks a zod schema's
 * definition once and returns a plain function that gives what `schema.parse` gives for a value the schema accepts,
 * and {@link REFUSED} otherwise, without zod's per-call contexts and issue lists. It knows the node kinds the schemas
 * here are built of (objects, pipes and transforms, optional/nullable, unions, strings, numbers, literals, enums,
 * custom checks and refinements); any other node is parsed by zod itself. A refusal is not an answer: callers ask zod
 * (`parseBody`) for the issue to report, so error paths and messages stay zod's. Measured in the commit that added it;
 * the differential test (core/test/schema-fast-parse.test.ts) holds it to zod's output.
 */
export type FastParser = (value: unknown) => unknown;

/** What a {@link FastParser} answers for a value its schema refuses. */
export const REFUSED: unique symbol = Symbol('refused');

type Schema = z.core.$ZodType;
type Def = Schema['_zod']['def'] & Record<string, unknown>;

let compiled = new WeakMap<Schema, FastParser>();
/** Off only inside {@link zodOnly}. */
let fastPath = true;
/** Whether objects get generated code: not where `new Function` is refused (Cloudflare Workers, strict CSP). */
let generateCode = allowsEval();

function allowsEval(): boolean {
  try {
    return new Function('return true')() === true;
  } catch {
    return false;
  }
}

/** Chooses generated code or the loop for objects compiled from now on (the differential test runs both). */
export function useGeneratedCode(on: boolean): void {
  generateCode = on && allowsEval();
  compiled = new WeakMap();
}

/**
 * Runs `parse` with every {@link parseBody} inside it going through zod alone (the list and union helpers parse their
 * entries with `parseBody` too): what the differential test compares the fast path with.
 */
export function zodOnly<T>(parse: () => T): T {
  fastPath = false;
  try {
    return parse();
  } finally {
    fastPath = true;
  }
}

/** The fast parser of `schema`, made once per schema. */
export function fastParser(schema: Schema): FastParser {
  let parser = compiled.get(schema);
  if (parser === undefined) {
    // A placeholder first: a schema that refers to itself (none here yet) gets zod's own parse for the inner use.
    compiled.set(schema, byZod(schema));
    parser = withChecks(schema, node(schema));
    compiled.set(schema, parser);
  }
  return parser;
}

/** `schema`'s output for `value`: the fast path first, zod's parse (for the issue to report) when it refuses. */
export function parseBody<S extends z.ZodType>(
  schema: S,
  value: unknown,
): { success: true; data: z.output<S> } | { success: false; error: z.ZodError } {
  const parsed = fastPath ? fastParser(schema)(value) : REFUSED;
  if (parsed !== REFUSED) return { success: true, data: parsed as z.output<S> };
  return schema.safeParse(value);
}

function byZod(schema: Schema): FastParser {
  return (value) => {
    const result = z.safeParse(schema, value);
    return result.success ? result.data : REFUSED;
  };
}

/** zod's object check: a non-null, non-array object. */
function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The transform context: the transforms here only report issues through it. */
class TransformContext {
  refused = false;
  constructor(readonly value: unknown) {}
  addIssue(): void {
    this.refused = true;
  }
}

function node(schema: Schema): FastParser {
  const def = schema._zod.def as Def;
  switch (def.type) {
    case 'string':
      if (def.coerce === true || def.format !== undefined) return byZod(schema);
      return (value) => (typeof value === 'string' ? value : REFUSED);
    case 'number':
      if (def.coerce === true) return byZod(schema);
      if (def.format === 'safeint') return (value) => (Number.isSafeInteger(value) ? value : REFUSED);
      if (def.format !== undefined) return byZod(schema);
      return (value) => (typeof value === 'number' && Number.isFinite(value) ? value : REFUSED);
    case 'boolean':
      if (def.coerce === true) return byZod(schema);
      return (value) => (typeof value === 'boolean' ? value : REFUSED);
    case 'literal': {
      const values = new Set(def.values as unknown[]);
      return (value) => (values.has(value) ? value : REFUSED);
    }
    case 'enum': {
      const values = new Set(Object.values(def.entries as Record<string, unknown>));
      return (value) => (values.has(value) ? value : REFUSED);
    }
    case 'custom': {
      const fn = def.fn as (value: unknown) => unknown;
      return (value) => {
        const ok = fn(value);
        return ok && !(ok instanceof Promise) ? value : REFUSED;
      };
    }
    case 'optional': {
      const inner = def.innerType as Schema;
      if (inner._zod.optin === 'optional') return byZod(schema);
      const parse = fastParser(inner);
      return (value) => (value === undefined ? undefined : parse(value));
    }
    case 'nullable': {
      const parse = fastParser(def.innerType as Schema);
      return (value) => (value === null ? null : parse(value));
    }
    case 'union':
      return union(schema, def);
    case 'pipe': {
      const first = fastParser(def.in as Schema);
      const second = fastParser(def.out as Schema);
      return (value) => {
        const middle = first(value);
        return middle === REFUSED ? REFUSED : second(middle);
      };
    }
    case 'transform': {
      const transform = def.transform as (value: unknown, context: TransformContext) => unknown;
      return (value) => {
        const context = new TransformContext(value);
        const result = transform(value, context);
        return context.refused || result === z.NEVER || result instanceof Promise ? REFUSED : result;
      };
    }
    case 'object':
      return object(schema, def);
    default:
      return byZod(schema);
  }
}

function union(schema: Schema, def: Def): FastParser {
  // Exclusive and discriminated unions choose differently from "the first member that accepts".
  if (def.inclusive === false || def.discriminator !== undefined) return byZod(schema);
  const members = (def.options as Schema[]).map(fastParser);
  return (value) => {
    for (const member of members) {
      const parsed = member(value);
      if (parsed !== REFUSED) return parsed;
    }
    return REFUSED;
  };
}

interface Property {
  key: string;
  parse: FastParser;
  /** `optional` in and out: an absent key is left out of the output, and its refusal ignored. */
  omittable: boolean;
  /** Neither optional in nor out: an absent key is refused (zod's "nonoptional"). */
  required: boolean;
}

function object(schema: Schema, def: Def): FastParser {
  if (def.catchall !== undefined) return byZod(schema);
  const shape = def.shape as Record<string, Schema>;
  if (Object.getOwnPropertySymbols(shape).length > 0) return byZod(schema);
  const properties: Property[] = [];
  for (const key of Object.keys(shape)) {
    if (key === '__proto__') continue;
    const field = shape[key] as Schema;
    const { optin, optout } = field._zod;
    if (optin === 'defaulted' || (optin === undefined && optout !== undefined)) return byZod(schema);
    properties.push({
      key,
      parse: fastParser(field),
      omittable: optin === 'optional' && optout === 'optional',
      required: optin === undefined,
    });
  }
  if (generateCode) {
    try {
      return generatedObject(properties);
    } catch {
      // workerd allows `new Function` while a module loads, not while it handles a request (where schemas are first
      // compiled): the probe at load can pass and this fail. From then on, the loop.
      generateCode = false;
    }
  }
  return objectLoop(properties);
}

/**
 * The object parser as code with each key written out, as zod compiles its own objects: a property read by name is
 * several times faster than one read by a variable key. Same steps as {@link objectLoop}.
 */
function generatedObject(properties: Property[]): FastParser {
  const body = properties.map(({ key, omittable, required }, i) => {
    const name = JSON.stringify(key);
    const present = `(v !== undefined || ${name} in value)`;
    if (omittable) {
      return `v = value[${name}]; if (${present}) { r = p${i}(v); if (r === R) return R; out[${name}] = r; }`;
    }
    const absent = required ? `if (v === undefined && !(${name} in value)) return R; ` : '';
    return `v = value[${name}]; ${absent}r = p${i}(v); if (r === R) return R; if (r !== undefined || ${present}) out[${name}] = r;`;
  });
  const names = properties.map((_, i) => `p${i}`);
  const source = `return function (value) {\n  if (!isObject(value)) return R;\n  const out = {};\n  let v, r;\n  ${body.join('\n  ')}\n  return out;\n};`;
  return new Function('R', 'isObject', ...names, source)(REFUSED, isObject, ...properties.map((p) => p.parse));
}

/** The object parser where code cannot be generated (Workers and other runtimes without `new Function`). */
function objectLoop(properties: Property[]): FastParser {
  return (value) => {
    if (!isObject(value)) return REFUSED;
    const out: Record<string, unknown> = {};
    for (const { key, parse, omittable, required } of properties) {
      const present = key in value;
      if (!present && (omittable || required)) {
        if (required) return REFUSED;
        continue;
      }
      const parsed = parse(value[key]);
      if (parsed === REFUSED) return REFUSED;
      if (parsed !== undefined || present) out[key] = parsed;
    }
    return out;
  };
}

type Check = (value: unknown) => boolean;

/** The checks (refinements, lengths, bounds) a schema runs on its output, or undefined when one is not known here. */
function checksOf(schema: Schema): Check[] | undefined {
  const checks: Check[] = [];
  for (const check of (schema._zod.def.checks ?? []) as z.core.$ZodCheck[]) {
    const def = check._zod.def as unknown as Record<string, unknown>;
    switch (def.check) {
      case 'max_length': {
        const maximum = def.maximum as number;
        checks.push((value) => (value as { length: number }).length <= maximum);
        break;
      }
      case 'min_length': {
        const minimum = def.minimum as number;
        checks.push((value) => (value as { length: number }).length >= minimum);
        break;
      }
      case 'greater_than': {
        const bound = def.value as number;
        checks.push(
          def.inclusive === true ? (value) => (value as number) >= bound : (value) => (value as number) > bound,
        );
        break;
      }
      case 'less_than': {
        const bound = def.value as number;
        checks.push(
          def.inclusive === true ? (value) => (value as number) <= bound : (value) => (value as number) < bound,
        );
        break;
      }
      case 'custom': {
        if (def.when !== undefined) return undefined;
        const fn = def.fn as (value: unknown) => unknown;
        checks.push((value) => {
          const ok = fn(value);
          return Boolean(ok) && !(ok instanceof Promise);
        });
        break;
      }
      default:
        return undefined;
    }
  }
  return checks;
}

function withChecks(schema: Schema, parse: FastParser): FastParser {
  const checks = checksOf(schema);
  if (checks === undefined) return byZod(schema);
  if (checks.length === 0) return parse;
  return (value) => {
    const parsed = parse(value);
    if (parsed === REFUSED) return REFUSED;
    for (const check of checks) if (!check(parsed)) return REFUSED;
    return parsed;
  };
}
