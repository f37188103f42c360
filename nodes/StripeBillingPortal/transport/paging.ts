import type { DeclarativeRestApiSettings, IDataObject, IExecutePaginationFunctions, INodeExecutionData, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { STRIPE_MAX_PAGE_SIZE } from '../shared/constants';
import { quoteValue } from '../shared/quote';
import { readBoolean } from '../shared/values';

export interface StripeList {
	object: 'list';
	data: IDataObject[];
	has_more?: boolean;
}

export function asStripeList(items: INodeExecutionData[]): StripeList | undefined {
	const json = items.length === 1 ? (items[0].json as IDataObject) : undefined;
	return json?.object === 'list' && Array.isArray(json.data) ? (json as unknown as StripeList) : undefined;
}

/**
 * How many list entries the user wants: Return All, else Limit, else one page. Return All is
 * read as the request's preSend read it (the text 'true' from an expression included), which
 * has refused anything that is neither true nor false.
 */
function wantedCount(context: IExecutePaginationFunctions): number | undefined {
	if (readBoolean(context.getNodeParameter('returnAll', false)) === true) return Number.POSITIVE_INFINITY;
	const limit = Number(context.getNodeParameter('limit', 0));
	return limit > 0 ? limit : undefined;
}

/** Sends one request of the item: paced, retried, and with a clear error when it fails for good. */
export type SendOnce = (requestData: DeclarativeRestApiSettings.ResultOptions) => Promise<INodeExecutionData[]>;

/**
 * The cursor for the page after this one, checked: it must be an entry's ID, and one not used
 * before. A server that answers the same page again, or entries without IDs, would otherwise
 * keep `has_more` paging going for ever, duplicating items on every round. Returns why paging
 * cannot go on instead of a cursor when that is so.
 */
export function nextCursor(page: unknown[], backwards: boolean, used: Set<string>): { cursor: string } | { problem: string } {
	const entry = backwards ? page[0] : page[page.length - 1];
	const id = typeof entry === 'object' && entry !== null ? (entry as { id?: unknown }).id : undefined;
	if (typeof id !== 'string' || id === '') {
		return { problem: 'Stripe answered a list page whose entries have no ID, so the next page cannot be asked for' };
	}
	if (used.has(id)) {
		return { problem: `Stripe answered a list page that does not advance (it ends at ${quoteValue(id)} again), so paging stopped` };
	}
	used.add(id);
	return { cursor: id };
}

/** The error for a list that cannot be paged on; Stripe's own lists always advance. */
export function pagingError(context: IExecutePaginationFunctions, problem: string): NodeApiError {
	return new NodeApiError(context.getNode(), { message: problem } as JsonObject, {
		message: `${problem}. Stripe's own lists always advance: check the Base URL in the credential, or set a Limit instead of Return All.`,
		httpCode: 'none',
		itemIndex: context.getItemIndex(),
	});
}

/** A page of one of Stripe's cursor lists, as far as paging reads it. */
export interface CursorPage {
	data: unknown[];
	has_more?: unknown;
}

/** Why paging ended: the last page, enough read, the next answer not a list, the page limit, or a list that does not advance. */
export type PagingEnd =
	| { ended: 'lastPage' | 'enough' | 'notAList' | 'pageLimit' }
	| { ended: 'stalled'; problem: string };

/**
 * The one loop over Stripe's cursor pages (Get Many, the subscription lookup): hands each page
 * to `onPage`, which says whether more is wanted, and while Stripe says `has_more` asks `next`
 * for the page after the last ID (before the first one when the listing runs backwards), each
 * cursor checked by nextCursor so that a list that does not advance ends.
 */
export async function followPages<Page extends CursorPage>(
	first: Page,
	next: (cursor: string) => Promise<Page | undefined>,
	onPage: (page: Page) => boolean,
	{ backwards = false, used = new Set<string>(), maxPages = Number.POSITIVE_INFINITY }: { backwards?: boolean; used?: Set<string>; maxPages?: number } = {},
): Promise<PagingEnd> {
	let page = first;
	for (let pages = 1; ; pages++) {
		const wantsMore = onPage(page);
		if (page.has_more !== true || page.data.length === 0) return { ended: 'lastPage' };
		if (!wantsMore) return { ended: 'enough' };
		const cursor = nextCursor(page.data, backwards, used);
		if ('problem' in cursor) return { ended: 'stalled', problem: cursor.problem };
		if (pages >= maxPages) return { ended: 'pageLimit' };
		const following = await next(cursor.cursor);
		if (!following) return { ended: 'notAList' };
		page = following;
	}
}

/**
 * Get Many's pages: each asks only for what is still missing, at most 100, so Limit 150 costs
 * two requests and Limit 20 one.
 */
export async function collectPages(
	context: IExecutePaginationFunctions,
	send: SendOnce,
	requestData: DeclarativeRestApiSettings.ResultOptions,
	first: StripeList,
): Promise<IDataObject[]> {
	const wanted = wantedCount(context) ?? first.data.length;
	const qs = { ...(requestData.options.qs ?? {}) };
	const backwards = qs.ending_before !== undefined;
	const used = new Set([qs.starting_after, qs.ending_before].filter((cursor): cursor is string => typeof cursor === 'string'));
	// Going backwards, each page holds the objects just newer than the cursor, newest first;
	// reversed, the output runs on from the cursor without jumps, as Stripe's SDKs iterate it.
	const entries = (page: StripeList) => (backwards ? [...page.data].reverse() : page.data);
	const collected: IDataObject[] = [];
	const end = await followPages(
		first,
		async (cursor) => {
			if (backwards) qs.ending_before = cursor;
			else qs.starting_after = cursor;
			qs.limit = Math.min(wanted - collected.length, STRIPE_MAX_PAGE_SIZE);
			return asStripeList(await send({ ...requestData, options: { ...requestData.options, qs: { ...qs } } }));
		},
		(page) => {
			collected.push(...entries(page).slice(0, wanted - collected.length));
			return collected.length < wanted;
		},
		{ backwards, used },
	);
	if (end.ended === 'stalled') throw pagingError(context, end.problem);
	return collected;
}

/**
 * The token for the editor's next page of a list search: the last entry's ID while Stripe says
 * there is more, and none when that ID does not advance past the token this page was asked
 * with, so a list that repeats itself ends instead of growing in the dropdown.
 */
export function listSearchToken(entries: unknown[], hasMore: unknown, previous: string | undefined): string | undefined {
	if (hasMore !== true || entries.length === 0) return undefined;
	const next = nextCursor(entries, false, new Set(previous === undefined ? [] : [previous]));
	return 'cursor' in next ? next.cursor : undefined;
}
