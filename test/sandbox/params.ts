/**
 * Table-driven parameter validation with Stripe's error wording.
 *
 * A route declares an ObjectSchema; `validateParams` checks the qs-decoded parameters in two passes,
 * as Stripe does: first unknown parameters anywhere in the tree, then (in declaration order)
 * empty strings, types, enums, lengths and required keys. It returns a copy with integers and
 * booleans coerced to numbers and booleans, so handlers can treat the result as the typed
 * `Stripe.*Params` shape.
 */
import { errors } from './errors';
import { isFromIndexKeys } from './form';
import type { PlainObject } from './types';

interface BaseSchema {
	required?: boolean;
	/** `field=` means "unset" and is allowed (Stripe's `Emptyable<T>`). Default false: '' is rejected. */
	emptyable?: boolean;
}
export interface StringSchema extends BaseSchema {
	type: 'string';
	enum?: readonly string[];
	/** Default 5000, Stripe's general limit. */
	maxLength?: number;
	format?: 'url';
}
export interface IntegerSchema extends BaseSchema {
	type: 'integer';
	min?: number;
	max?: number;
}
export interface BooleanSchema extends BaseSchema {
	type: 'boolean';
}
export interface ObjectSchema extends BaseSchema {
	type: 'object';
	properties: Record<string, Schema>;
}
export interface ArraySchema extends BaseSchema {
	type: 'array';
	items: Schema;
	maxItems?: number;
}
/** Free-form string-keyed hash such as `metadata`. */
export interface HashSchema extends BaseSchema {
	type: 'hash';
	values: Schema;
	maxKeyLength?: number;
}
/** A scalar or a hash, e.g. `created` (integer or `{ gt, gte, lt, lte }`). */
export interface ScalarOrObjectSchema extends BaseSchema {
	type: 'scalar_or_object';
	scalar: StringSchema | IntegerSchema | BooleanSchema;
	object: ObjectSchema;
}
export type Schema =
	| StringSchema
	| IntegerSchema
	| BooleanSchema
	| ObjectSchema
	| ArraySchema
	| HashSchema
	| ScalarOrObjectSchema;

type Opts<S> = Omit<S, 'type'>;

/** Schema builders. */
export const s = {
	string: (o: Opts<StringSchema> = {}): StringSchema => ({ type: 'string', ...o }),
	enum: (values: readonly string[], o: Opts<StringSchema> = {}): StringSchema => ({
		type: 'string',
		enum: values,
		...o,
	}),
	url: (o: Opts<StringSchema> = {}): StringSchema => ({ type: 'string', format: 'url', maxLength: 5000, ...o }),
	integer: (o: Opts<IntegerSchema> = {}): IntegerSchema => ({ type: 'integer', ...o }),
	boolean: (o: Opts<BooleanSchema> = {}): BooleanSchema => ({ type: 'boolean', ...o }),
	object: (properties: Record<string, Schema>, o: Omit<Opts<ObjectSchema>, 'properties'> = {}): ObjectSchema => ({
		type: 'object',
		properties,
		...o,
	}),
	array: (items: Schema, o: Omit<Opts<ArraySchema>, 'items'> = {}): ArraySchema => ({ type: 'array', items, ...o }),
	hash: (values: Schema, o: Omit<Opts<HashSchema>, 'values'> = {}): HashSchema => ({ type: 'hash', values, ...o }),
	scalarOrObject: (
		scalar: ScalarOrObjectSchema['scalar'],
		object: ObjectSchema,
		o: Opts<BaseSchema> = {},
	): ScalarOrObjectSchema => ({ type: 'scalar_or_object', scalar, object, ...o }),
};

/** Marks a schema as required. */
export function req<T extends Schema>(schema: T): T {
	return { ...schema, required: true };
}

/** `expand[]`, accepted by every Stripe endpoint. */
export const expandSchema = s.array(s.string());

export function isPlainObject(v: unknown): v is PlainObject {
	return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Stripe's bracket notation: child('flow_data', 'type') → 'flow_data[type]'. */
export function childPath(parent: string, key: string | number): string {
	return parent === '' ? String(key) : `${parent}[${key}]`;
}

/** Ruby-style inspect of a decoded value, as Stripe shows it in "Invalid string: …". */
function inspect(v: unknown): string {
	if (typeof v === 'string') return JSON.stringify(v);
	if (Array.isArray(v)) return `[${v.map(inspect).join(', ')}]`;
	if (isPlainObject(v))
		return `{${Object.entries(v)
			.map(([k, x]) => `${JSON.stringify(k)}=>${inspect(x)}`)
			.join(', ')}}`;
	return String(v);
}

function shown(v: unknown): string {
	return typeof v === 'string' ? v : inspect(v);
}

/** Index-keyed hash (beyond arrayLimit, or with gaps) → array; otherwise undefined. */
function indexHashToArray(v: PlainObject): unknown[] | undefined {
	const keys = Object.keys(v);
	if (keys.length === 0 || !keys.every((k) => /^\d+$/.test(k))) return undefined;
	return keys.sort((a, b) => Number(a) - Number(b)).map((k) => v[k]);
}

/**
 * A hash as Rack reads it: `metadata[0]=a&metadata[1]=b` is the hash { 0: 'a', 1: 'b' }, which
 * decodeForm hands over as a list (the shape a list parameter needs); `metadata[]=a` stays a list.
 */
function hashOf(v: unknown): PlainObject | undefined {
	if (isPlainObject(v)) return v;
	return isFromIndexKeys(v) ? Object.fromEntries(v.map((item, index) => [String(index), item])) : undefined;
}

export function isValidUrl(value: string): boolean {
	if (/\s/.test(value)) return false;
	let url: URL;
	try {
		url = new URL(value);
	} catch {
		return false;
	}
	return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname !== '';
}

function collectUnknown(schema: Schema, value: unknown, path: string): void {
	switch (schema.type) {
		case 'object': {
			if (!isPlainObject(value)) return;
			const unknown = Object.keys(value).filter((k) => !Object.hasOwn(schema.properties, k));
			if (unknown.length > 0) throw errors.unknownParameters(unknown.map((k) => childPath(path, k)));
			for (const [k, v] of Object.entries(value)) collectUnknown(schema.properties[k], v, childPath(path, k));
			return;
		}
		case 'array': {
			const arr = Array.isArray(value) ? value : isPlainObject(value) ? indexHashToArray(value) : undefined;
			arr?.forEach((item, i) => collectUnknown(schema.items, item, childPath(path, i)));
			return;
		}
		case 'hash': {
			const hash = hashOf(value);
			if (hash) for (const [k, v] of Object.entries(hash)) collectUnknown(schema.values, v, childPath(path, k));
			return;
		}
		case 'scalar_or_object':
			if (isPlainObject(value)) collectUnknown(schema.object, value, path);
			return;
		default:
			return;
	}
}

function coerce(schema: Schema, value: unknown, path: string): unknown {
	if (value === '') {
		if (schema.emptyable) return '';
		throw errors.emptyString(path);
	}
	switch (schema.type) {
		case 'string': {
			if (typeof value !== 'string') throw errors.invalidString(path, shown(value));
			const max = schema.maxLength ?? 5000;
			if (value.length > max) throw errors.stringTooLong(path, value, max);
			if (schema.enum && !schema.enum.includes(value)) throw errors.invalidEnum(path, schema.enum);
			if (schema.format === 'url' && !isValidUrl(value)) throw errors.invalidUrl(path);
			return value;
		}
		case 'integer': {
			if (typeof value !== 'string' || !/^-?\d+$/.test(value)) throw errors.invalidInteger(path, shown(value));
			const n = Number(value);
			if (!Number.isSafeInteger(n)) throw errors.invalidInteger(path, value);
			if (schema.min !== undefined && n < schema.min) throw errors.tooSmall(path, schema.min);
			if (schema.max !== undefined && n > schema.max) throw errors.tooLarge(path, schema.max);
			return n;
		}
		case 'boolean': {
			if (value === 'true') return true;
			if (value === 'false') return false;
			throw errors.invalidBoolean(path, shown(value));
		}
		case 'object': {
			if (!isPlainObject(value)) throw errors.invalidHash(path);
			const out: PlainObject = {};
			for (const [k, sub] of Object.entries(schema.properties)) {
				const v = value[k];
				if (v === undefined) {
					if (sub.required) throw errors.missingParam(childPath(path, k));
					continue;
				}
				out[k] = coerce(sub, v, childPath(path, k));
			}
			return out;
		}
		case 'array': {
			const arr = Array.isArray(value) ? value : isPlainObject(value) ? indexHashToArray(value) : undefined;
			if (!arr) throw errors.invalidArray(path);
			if (schema.maxItems !== undefined && arr.length > schema.maxItems)
				throw errors.invalidRequest(
					`Invalid array: ${path} must contain at most ${schema.maxItems} item${schema.maxItems === 1 ? '' : 's'}`,
					path,
				);
			return arr.map((item, i) => coerce(schema.items, item, childPath(path, i)));
		}
		case 'hash': {
			const hash = hashOf(value);
			if (!hash) throw errors.invalidHash(path);
			const out: PlainObject = {};
			for (const [k, v] of Object.entries(hash)) {
				if (schema.maxKeyLength !== undefined && k.length > schema.maxKeyLength)
					throw errors.invalidRequest(
						`Invalid ${path}: keys must be at most ${schema.maxKeyLength} characters`,
						childPath(path, k),
					);
				out[k] = coerce(schema.values, v, childPath(path, k));
			}
			return out;
		}
		case 'scalar_or_object':
			return isPlainObject(value)
				? coerce(schema.object, value, path)
				: coerce({ ...schema.scalar, emptyable: schema.emptyable }, value, path);
	}
}

/**
 * Validates decoded parameters against a route's schema. Throws StripeApiError (400) on the
 * first problem, otherwise returns the coerced parameters.
 */
export function validateParams(schema: ObjectSchema, params: PlainObject, root = ''): PlainObject {
	collectUnknown(schema, params, root);
	return coerce(schema, params, root) as PlainObject;
}
