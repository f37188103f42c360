import * as qs from 'qs';

import type { PlainObject } from './types';

/**
 * qs options matching how Stripe's API (Rack nested params) reads a form body or query string:
 * bracket notation, arrays by index or `[]`, deep nesting, no dot notation, no prototype keys.
 * Index keys are read by decodeForm, not by qs (see there).
 */
export const STRIPE_QS_OPTIONS: qs.IParseOptions = {
	depth: 100,
	arrayLimit: 1000,
	parameterLimit: 100000,
	allowDots: false,
	parseArrays: true,
	plainObjects: false,
	allowPrototypes: false,
	charset: 'utf-8',
};

function decodeKey(raw: string): string {
	const s = raw.replace(/\+/g, ' ');
	try {
		return decodeURIComponent(s);
	} catch {
		return s;
	}
}

/** Marks a bracketed all-digit key (`[42]`) while qs parses, so that qs keeps it as a key. */
const INDEX_MARK = '\u0001';

/** Lists decodeForm made from index keys (`a[0]=…&a[1]=…`), as opposed to `a[]=…`. */
const FROM_INDEX_KEYS = new WeakSet<unknown[]>();

/**
 * A list decodeForm read from index keys `[0]`, `[1]`, …: Rack reads those as a hash with the
 * keys "0", "1", …, which Stripe takes as a list where it expects one and as a hash (e.g.
 * metadata with the keys "0" and "1") where it expects a hash.
 */
export function isFromIndexKeys(value: unknown): value is unknown[] {
	return Array.isArray(value) && FROM_INDEX_KEYS.has(value);
}

/**
 * Undoes INDEX_MARK. An object whose keys are all indices 0…n-1 (n ≤ arrayLimit) becomes a list,
 * as qs would make it, remembered in FROM_INDEX_KEYS; any other index keys stay keys, as Rack
 * keeps them: `metadata[42]=x` is the metadata key "42", where qs would make the list ['x'].
 */
function readIndexKeys(value: unknown): unknown {
	if (Array.isArray(value)) return value.map(readIndexKeys);
	if (typeof value !== 'object' || value === null) return value;
	const isIndex = (key: string) => key.startsWith(INDEX_MARK) && /^\d+$/.test(key.slice(INDEX_MARK.length));
	const entries = Object.entries(value).map(([key, child]) => [isIndex(key) ? key.slice(INDEX_MARK.length) : key, readIndexKeys(child)] as const);
	const allIndices = entries.length > 0 && entries.length - 1 <= (STRIPE_QS_OPTIONS.arrayLimit ?? 20) && Object.keys(value).every(isIndex);
	if (allIndices) {
		const sorted = [...entries].sort(([a], [b]) => Number(a) - Number(b));
		if (sorted.every(([key], index) => key === String(index))) {
			const list = sorted.map(([, child]) => child);
			FROM_INDEX_KEYS.add(list);
			return list;
		}
	}
	const object: Record<string, unknown> = {};
	for (const [key, child] of entries) object[key] = child;
	return object;
}

/**
 * Decodes `application/x-www-form-urlencoded` text the way Stripe does. Differs from plain
 * `qs.parse` in two points: a key repeated without `[]` (`a=1&a=2`) keeps its last value, as
 * Rack does, instead of becoming an array; and a bracketed number is a key, as Rack reads it,
 * not a list position: qs would turn `metadata[42]=x&metadata[7]=y` into the list ['y', 'x'].
 */
export function decodeForm(text: string): PlainObject {
	if (text === '') return {};
	let input = text;
	const parts = text.split('&');
	if (parts.length > 1) {
		const lastIndex = new Map<string, number>();
		let duplicates = false;
		for (let i = 0; i < parts.length; i++) {
			const part = parts[i];
			if (part === '') continue;
			const eq = part.indexOf('=');
			const key = decodeKey(eq === -1 ? part : part.slice(0, eq));
			if (key.endsWith('[]')) continue;
			if (lastIndex.has(key)) duplicates = true;
			lastIndex.set(key, i);
		}
		if (duplicates) {
			input = parts
				.filter((part, i) => {
					if (part === '') return false;
					const eq = part.indexOf('=');
					const key = decodeKey(eq === -1 ? part : part.slice(0, eq));
					return key.endsWith('[]') || lastIndex.get(key) === i;
				})
				.join('&');
		}
	}
	const parsed = qs.parse(input, {
		...STRIPE_QS_OPTIONS,
		decoder: (text, decoder, charset, type) => {
			const decoded: unknown = decoder(text, decoder, charset);
			return type === 'key' && typeof decoded === 'string' ? decoded.replace(/\[(\d+)\]/g, `[${INDEX_MARK}$1]`) : decoded;
		},
	});
	return readIndexKeys(parsed) as PlainObject;
}

/** Media type of a Content-Type header, lower-cased, without parameters ('' if absent). */
export function mediaType(contentType: string | undefined): string {
	if (!contentType) return '';
	return contentType.split(';')[0].trim().toLowerCase();
}
