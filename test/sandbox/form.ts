import * as qs from 'qs';

import type { PlainObject } from './types';

/**
 * qs options matching how Stripe's API (Rack nested params) reads a form body or query string:
 * bracket notation, arrays by index or `[]`, deep nesting, no dot notation, no prototype keys.
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

/**
 * Decodes `application/x-www-form-urlencoded` text the way Stripe does.
 * Differs from plain `qs.parse` in one point: a key repeated without `[]` (`a=1&a=2`)
 * keeps its last value, as Rack does, instead of becoming an array.
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
	return qs.parse(input, STRIPE_QS_OPTIONS) as PlainObject;
}

/** Media type of a Content-Type header, lower-cased, without parameters ('' if absent). */
export function mediaType(contentType: string | undefined): string {
	if (!contentType) return '';
	return contentType.split(';')[0].trim().toLowerCase();
}
