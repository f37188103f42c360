/**
 * The request body as a tree whose keys come from user input (metadata keys, JSON): read and
 * written through own properties only, so that a key such as `__proto__` or `toString` is data,
 * never the object's machinery.
 */
import type { IDataObject } from 'n8n-workflow';

import { isPlainObject } from '../../shared/values';

/**
 * The value a map keyed by user input holds for `key`, only when the map has it as its own: a
 * plain `map[key]` would find `toString`, `constructor` or `__proto__` on every object.
 */
export function own<T>(map: Readonly<Record<string, T>>, key: string): T | undefined {
	return Object.hasOwn(map, key) ? map[key] : undefined;
}

/** Writes `key` as an own property, whatever its name (`__proto__` included, which `=` would not write). */
export function define(target: IDataObject, key: string, value: unknown): void {
	Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

export function setPath(body: IDataObject, path: readonly string[], value: unknown): void {
	let node = body;
	for (const key of path.slice(0, -1)) {
		if (!isPlainObject(own(node, key))) define(node, key, {});
		node = own(node, key) as IDataObject;
	}
	define(node, path[path.length - 1], value);
}

export function getPath(body: IDataObject, path: readonly string[]): unknown {
	let node: unknown = body;
	for (const key of path) {
		if (!isPlainObject(node)) return undefined;
		node = own(node, key);
	}
	return node;
}

/** Drops keys whose value is undefined, so that a group the user left empty sends nothing. */
export function compact(object: IDataObject): IDataObject | undefined {
	const entries = Object.entries(object).filter(([, value]) => value !== undefined);
	return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

/** The entries of a repeatable group (fixedCollection with multipleValues): `{ [name]: [ … ] }`. */
export function groupEntries(raw: unknown, name: string): IDataObject[] {
	const entries = isPlainObject(raw) ? own(raw, name) : undefined;
	return Array.isArray(entries) ? entries.filter(isPlainObject).map((entry) => entry as IDataObject) : [];
}
