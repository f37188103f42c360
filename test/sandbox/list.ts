/** Cursor pagination and `expand[]` handling shared by list/retrieve endpoints. */
import { errors } from './errors';
import { expandSchema, s, type Schema } from './params';

/** Parameters every Stripe list endpoint accepts. */
export const listParams: Record<string, Schema> = {
	ending_before: s.string(),
	expand: expandSchema,
	limit: s.integer({ min: 1, max: 100 }),
	starting_after: s.string(),
};

export interface ListParams {
	ending_before?: string;
	limit?: number;
	starting_after?: string;
	expand?: string[];
}

export interface ListPage<T> {
	object: 'list';
	data: T[];
	has_more: boolean;
	url: string;
}

/**
 * Stripe's cursor pagination over `items` (already newest first).
 * `noun` names the resource in the "No such <noun>" error for an unknown cursor.
 */
export function paginate<T extends { id: string }>(
	items: readonly T[],
	params: ListParams,
	noun: string,
): { data: T[]; has_more: boolean } {
	const limit = params.limit ?? 10;
	if (params.starting_after !== undefined && params.ending_before !== undefined)
		throw errors.exclusive(['ending_before', 'starting_after']);
	if (params.starting_after !== undefined) {
		const idx = items.findIndex((i) => i.id === params.starting_after);
		if (idx === -1) throw errors.resourceMissing(noun, params.starting_after, 'starting_after');
		const data = items.slice(idx + 1, idx + 1 + limit);
		return { data, has_more: idx + 1 + limit < items.length };
	}
	if (params.ending_before !== undefined) {
		const idx = items.findIndex((i) => i.id === params.ending_before);
		if (idx === -1) throw errors.resourceMissing(noun, params.ending_before, 'ending_before');
		const start = Math.max(0, idx - limit);
		return { data: items.slice(start, idx), has_more: start > 0 };
	}
	return { data: items.slice(0, limit), has_more: items.length > limit };
}

/** One page of a list endpoint, in Stripe's list envelope, each object rendered for the request. */
export function listPage<T extends { id: string }, R>(
	items: readonly T[],
	params: ListParams,
	noun: string,
	url: string,
	render: (item: T) => R,
): ListPage<R> {
	const page = paginate(items, params, noun);
	return { object: 'list', data: page.data.map(render), has_more: page.has_more, url };
}

export type ExpandMode = 'object' | 'list' | 'search';

/**
 * Checks `expand[]` against what the resource can expand and returns the paths relative to one
 * object (list endpoints take `data.<path>`; search also takes `total_count`).
 */
export function resolveExpand(
	expand: readonly string[] | undefined,
	expandable: readonly string[],
	mode: ExpandMode,
): { paths: Set<string>; totalCount: boolean } {
	const paths = new Set<string>();
	let totalCount = false;
	for (const raw of expand ?? []) {
		if (mode === 'search' && raw === 'total_count') {
			totalCount = true;
			continue;
		}
		let path = raw;
		if (mode !== 'object') {
			if (!raw.startsWith('data.')) throw errors.cannotExpand(raw, expandable.includes(raw));
			path = raw.slice('data.'.length);
		}
		if (!expandable.includes(path)) throw errors.cannotExpand(raw, false);
		paths.add(path);
	}
	return { paths, totalCount };
}
