import type {
	DeclarativeRestApiSettings,
	IDataObject,
	IExecutePaginationFunctions,
	INode,
	INodeExecutionData,
	JsonObject,
} from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { STRIPE_DEFAULT_BASE_URL, STRIPE_MAX_PAGE_SIZE } from './constants';
import { STRIPE_ERROR_DETAILS, type StripeApiError } from './errors';
import {
	accountHeaders,
	idempotencyKeyFor,
	noteRetries,
	pacedWithRetries,
	rateLimitedError,
	readRequestSettings,
	type RetryOutcome,
} from './resilience';

const CONNECTION_ERROR_MESSAGES: Record<string, string> = {
	ECONNREFUSED: 'The connection was refused',
	ECONNRESET: 'The connection was closed before Stripe answered',
	ENOTFOUND: 'The host name could not be resolved',
	EAI_AGAIN: 'The host name could not be resolved (DNS lookup failed)',
	ETIMEDOUT: 'The connection timed out',
	ECONNABORTED: 'The request timed out',
	EHOSTUNREACH: 'The host is unreachable',
	EPIPE: 'The connection was closed while the request was sent',
	ERR_INVALID_URL: 'The Base URL is not a valid URL',
};

/** Finds the Node.js system error code (ECONNREFUSED, …) wherever n8n nested it. */
export function findConnectionErrorCode(error: unknown): string | undefined {
	let current: unknown = error;
	for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
		const code = (current as { code?: unknown }).code;
		if (typeof code === 'string' && /^E[A-Z_]+$/.test(code)) return code;
		current = (current as { cause?: unknown }).cause;
	}
	const message = error instanceof Error ? error.message : String(error);
	return Object.keys(CONNECTION_ERROR_MESSAGES).find((code) => message.includes(code));
}

export function isStripeResponseError(error: unknown): error is StripeApiError {
	return typeof error === 'object' && error !== null && STRIPE_ERROR_DETAILS in error;
}

/**
 * The error for a request that never got an answer. n8n's own says only "The service refused
 * the connection"; this one names where the request went and what to check, and carries plain
 * data only, so nothing of the request (its Authorization header included) can reach error
 * items or logs.
 */
export function connectionError(node: INode, baseUrl: string, cause: unknown, itemIndex?: number): NodeApiError {
	const code = findConnectionErrorCode(cause);
	const what = code ? (CONNECTION_ERROR_MESSAGES[code] ?? `The request failed (${code})`) : 'The request failed';
	const cleanError: JsonObject = { code: code ?? null, baseUrl };
	return new NodeApiError(node, cleanError, {
		message: `Could not reach Stripe at ${baseUrl || 'the Base URL'}: ${what}`,
		description: `Check the Base URL in the 'Stripe Billing Portal API' credential (normally ${STRIPE_DEFAULT_BASE_URL}) and that this n8n instance can reach it. For a local sandbox or stripe-mock, make sure it is running.`,
		httpCode: 'none',
		itemIndex,
	});
}

interface StripeList {
	object: 'list';
	data: IDataObject[];
	has_more?: boolean;
}

function asStripeList(items: INodeExecutionData[]): StripeList | undefined {
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
type SendOnce = (requestData: DeclarativeRestApiSettings.ResultOptions) => Promise<INodeExecutionData[]>;

/**
 * Stripe's cursor pagination: while `has_more`, ask for the page after the last ID
 * (`starting_after`), or before the first one when the listing runs backwards
 * (`ending_before`). Each page asks only for what is still missing, at most 100, so Limit 150
 * costs two requests and Limit 20 one.
 */
async function collectPages(
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

/** Turns what ended the retry loop into the error the user sees. */
function finalError(context: IExecutePaginationFunctions, baseUrl: string, error: unknown, outcome: RetryOutcome): Error {
	if (isStripeResponseError(error)) {
		const status = error[STRIPE_ERROR_DETAILS]?.httpStatus;
		if (status === 429 && outcome.exhausted) return rateLimitedError(context, error, outcome);
		// Stripe's own answer is already the error to show; NodeApiError hands it back unchanged.
		return noteRetries(new NodeApiError(context.getNode(), error as unknown as JsonObject), outcome);
	}
	if (error instanceof NodeOperationError) return error;
	return noteRetries(connectionError(context.getNode(), baseUrl, error, context.getItemIndex()), outcome);
}

/**
 * Every request of the node goes through here: n8n calls it as the `pagination` function
 * because that is the one hook that wraps the request itself. Here each request waits for
 * its turn under Max Requests per Second (shared by all items of the run), is retried when
 * Stripe or the network says so, carries the Connect header and, for a POST, one idempotency
 * key for all its attempts. A Stripe list comes back as one item per object, across as many
 * pages as the user asked for.
 */
export async function sendStripeRequest(
	this: IExecutePaginationFunctions,
	requestData: DeclarativeRestApiSettings.ResultOptions,
): Promise<INodeExecutionData[]> {
	const settings = readRequestSettings(this);
	const baseUrl = String(requestData.options.baseURL ?? '');
	const headers: IDataObject = { ...(requestData.options.headers ?? {}), ...accountHeaders(settings) };
	if (String(requestData.options.method ?? 'GET').toUpperCase() === 'POST') {
		headers['Idempotency-Key'] = idempotencyKeyFor(this, settings);
	}
	const request = { ...requestData, options: { ...requestData.options, headers } };
	const paced = { context: this, settings, connectionCode: findConnectionErrorCode };
	const send: SendOnce = async (data) =>
		await pacedWithRetries(paced, async () => await this.makeRoutingRequest(data), (error, outcome) =>
			finalError(this, baseUrl, error, outcome),
		);

	const items = await send(request);
	const list = asStripeList(items);
	if (!list) return items;
	const entries = await collectPages(this, send, request, list);
	const itemIndex = this.getItemIndex();
	return entries.map((json) => ({ json, pairedItem: { item: itemIndex } }));
}
