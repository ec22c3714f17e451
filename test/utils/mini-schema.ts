import { isJsonObject, JsonValue } from '../../src/protocol/json';

/**
 * A deliberately tiny JSON Schema checker for the documents in docs/: local `$ref`s, `type`,
 * `const`, `enum`, `required`, `properties`, `items`, `minLength`, `maxLength`, `minimum` and
 * `if`/`then`. Other keywords are ignored. Enough to keep examples and real frames honest
 * without a schema library.
 */

/** The value at a local JSON pointer (`#/a/b~1c`), or undefined when it does not exist. */
export function resolvePointer(root: JsonValue, ref: string): JsonValue | undefined {
  if (!ref.startsWith('#')) return undefined;
  if (ref === '#') return root;
  if (!ref.startsWith('#/')) return undefined;
  let node: JsonValue | undefined = root;
  for (const raw of ref.slice(2).split('/')) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) node = /^\d+$/.test(key) ? node[Number(key)] : undefined;
    else if (isJsonObject(node)) node = Object.prototype.hasOwnProperty.call(node, key) ? node[key] : undefined;
    else return undefined;
    if (node === undefined) return undefined;
  }
  return node;
}

/** Every `$ref` in the document, with where it sits. */
export function collectRefs(node: JsonValue, path = '#'): { path: string; ref: string }[] {
  if (Array.isArray(node)) return node.flatMap((item, i) => collectRefs(item, `${path}/${i}`));
  if (!isJsonObject(node)) return [];
  return Object.entries(node).flatMap(([key, value]) => {
    const here = `${path}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    if (key === '$ref') return [{ path: here, ref: typeof value === 'string' ? value : JSON.stringify(value) }];
    return collectRefs(value, here);
  });
}

/** `$ref`s that do not point at something inside `root`. */
export function unresolvedRefs(root: JsonValue): { path: string; ref: string }[] {
  return collectRefs(root).filter(({ ref }) => resolvePointer(root, ref) === undefined);
}

/** Follows `$ref` chains (at most 20 hops). */
export function deref(root: JsonValue, node: JsonValue | undefined): JsonValue | undefined {
  let current = node;
  for (let hops = 0; hops < 20 && isJsonObject(current) && typeof current['$ref'] === 'string'; hops++) {
    current = resolvePointer(root, current['$ref']);
  }
  return current;
}

/** Problems of `value` against `schema`; empty when it conforms. */
export function validate(value: JsonValue | undefined, schemaNode: JsonValue, root: JsonValue, path = '$'): string[] {
  const schema = deref(root, schemaNode);
  if (schema === undefined) return [`${path}: schema reference does not resolve`];
  if (schema === true || !isJsonObject(schema)) return [];
  if (value === undefined) return [];
  const errors: string[] = [];

  const type = schema['type'];
  if (type !== undefined) {
    const allowed = Array.isArray(type) ? type : [type];
    if (!allowed.some((t) => typeof t === 'string' && hasType(value, t))) {
      errors.push(`${path}: expected type ${JSON.stringify(type)}, got ${typeName(value)}`);
      return errors;
    }
  }
  if ('const' in schema && !deepEqual(value, schema['const'] ?? null)) {
    errors.push(`${path}: expected const ${JSON.stringify(schema['const'])}, got ${JSON.stringify(value)}`);
  }
  const enumValues = schema['enum'];
  if (Array.isArray(enumValues) && !enumValues.some((e) => deepEqual(value, e))) {
    errors.push(`${path}: ${JSON.stringify(value)} is not one of ${JSON.stringify(enumValues)}`);
  }
  if (typeof value === 'string') {
    const min = schema['minLength'];
    const max = schema['maxLength'];
    if (typeof min === 'number' && value.length < min) errors.push(`${path}: shorter than ${min}`);
    if (typeof max === 'number' && value.length > max) errors.push(`${path}: longer than ${max}`);
  }
  const minimum = schema['minimum'];
  if (typeof value === 'number' && typeof minimum === 'number' && value < minimum) {
    errors.push(`${path}: ${value} is less than ${minimum}`);
  }
  if (isJsonObject(value)) {
    const required = schema['required'];
    if (Array.isArray(required)) {
      for (const key of required) {
        if (typeof key === 'string' && !(key in value)) errors.push(`${path}: missing required key "${key}"`);
      }
    }
    const properties = schema['properties'];
    if (isJsonObject(properties)) {
      for (const [key, propertySchema] of Object.entries(properties)) {
        if (key in value) errors.push(...validate(value[key], propertySchema, root, `${path}.${key}`));
      }
    }
  }
  const items = schema['items'];
  if (Array.isArray(value) && items !== undefined && !Array.isArray(items)) {
    value.forEach((item, i) => errors.push(...validate(item, items, root, `${path}[${i}]`)));
  }
  const condition = schema['if'];
  const consequence = schema['then'];
  if (condition !== undefined && consequence !== undefined && validate(value, condition, root, path).length === 0) {
    errors.push(...validate(value, consequence, root, path));
  }
  return errors;
}

function hasType(value: JsonValue, type: string): boolean {
  switch (type) {
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'number':
      return typeof value === 'number';
    case 'array':
      return Array.isArray(value);
    case 'object':
      return isJsonObject(value);
    case 'null':
      return value === null;
    default:
      return typeof value === type;
  }
}

function typeName(value: JsonValue): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'array' : typeof value;
}

function deepEqual(a: JsonValue, b: JsonValue): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i] ?? null));
  if (isJsonObject(a) && isJsonObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => k in b && deepEqual(a[k] ?? null, b[k] ?? null));
  }
  return false;
}
