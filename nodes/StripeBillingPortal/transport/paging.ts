import type { DeclarativeRestApiSettings, IDataObject, IExecutePaginationFunctions, INodeExecutionData } from 'n8n-workflow';

import { STRIPE_MAX_PAGE_SIZE } from '../shared/constants';

export interface StripeList {
	object: 'list';
	data: IDataObject[];
	has_more?: boolean;
}

export function asStripeList(items: INodeExecutionData[]): StripeList | undefined {
	const json = items.length === 1 ? (items[0].json as IDataObject) : undefined;
	return json?.object === 'list' && Array.isArray(json.data) ? (json as unknown as StripeList) : undefined;
}

/** How many list entries the user wants: Return All, else Limit, else one page. */
function wantedCount(context: IExecutePaginationFunctions): number | undefined {
	if (context.getNodeParameter('returnAll', false) === true) return Number.POSITIVE_INFINITY;
	const limit = Number(context.getNodeParameter('limit', 0));
	return limit > 0 ? limit : undefined;
}

/** Sends one request of the item: paced, retried, and with a clear error when it fails for good. */
export type SendOnce = (requestData: DeclarativeRestApiSettings.ResultOptions) => Promise<INodeExecutionData[]>;

/**
 * Stripe's cursor pagination: while `has_more`, ask for the page after the last ID
 * (`starting_after`), or before the first one when the listing runs backwards
 * (`ending_before`). Each page asks only for what is still missing, at most 100, so Limit 150
 * costs two requests and Limit 20 one.
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
	// Going backwards, each page holds the objects just newer than the cursor, newest first;
	// reversed, the output runs on from the cursor without jumps, as Stripe's SDKs iterate it.
	const entries = (page: StripeList) => (backwards ? [...page.data].reverse() : page.data);
	const collected = entries(first).slice(0, wanted);
	let page = first;
	while (page.has_more === true && page.data.length > 0 && collected.length < wanted) {
		const cursor = backwards ? page.data[0].id : page.data[page.data.length - 1].id;
		if (backwards) qs.ending_before = cursor;
		else qs.starting_after = cursor;
		qs.limit = Math.min(wanted - collected.length, STRIPE_MAX_PAGE_SIZE);
		const items = await send({ ...requestData, options: { ...requestData.options, qs: { ...qs } } });
		const next = asStripeList(items);
		if (!next) break;
		collected.push(...entries(next).slice(0, wanted - collected.length));
		page = next;
	}
	return collected;
}
