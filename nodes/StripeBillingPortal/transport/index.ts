/**
 * The node's ways in to the one pipeline (pipeline.ts): item requests (n8n's pagination hook),
 * lookups a resource makes before its own request, and the editor's list searches. Each way
 * says where its settings, budgets and sender come from and how its errors are worded; the
 * pipeline sends, retries and checks. Resources hand in their paths, the answer they expect and
 * their words; nothing here names a resource.
 */
import type {
	DeclarativeRestApiSettings,
	IDataObject,
	IExecutePaginationFunctions,
	IExecuteSingleFunctions,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	IN8nHttpFullResponse,
	INodeExecutionData,
	JsonObject,
} from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { baseUrlOf, findCredentialFieldError } from '../shared/baseUrl';
import { CREDENTIAL_TYPE } from '../shared/constants';
import { credentialAccount } from '../shared/rateLimits';
import { forAgents } from './agent';
import { connectionError } from './connection';
import { errorDetailsFromResponse, failedAnswer, type AnswerShape, type ErrorVocabulary } from './answers';
import {
	STRIPE_ERROR_DETAILS,
	isStripeResponseError,
	noteRetries,
	rateLimitedError,
	stripeApiError,
	type RetryOutcome,
} from './errors';
import { idempotencyFailure, idempotencyKeyFor } from './idempotency';
import { accountFingerprint, endpointKey, limiterFor } from './limiter';
import { accountLimiterFor } from './pacing';
import { asStripeList, collectPages, type SendOnce } from './paging';
import { authenticatedSender, routingSender, sendThroughPipeline, unusableAnswer, type Expected } from './pipeline';
import {
	accountHeaders,
	listSearchAccountHeaders,
	listSearchTimeoutSeconds,
	readRequestSettings,
	sendingOptions,
	type RequestSettings,
} from './settings';

export { stripeList, stripeObject, type AnswerShape } from './answers';

/**
 * The error for a request that got no usable answer: a Base URL the credential refused to send
 * the key to (its message says what to change, as it is), or a connection that failed.
 */
function noAnswerError(
	context: IExecuteSingleFunctions | ILoadOptionsFunctions,
	baseUrl: string,
	error: unknown,
	timeoutSeconds: number,
	itemIndex?: number,
): NodeApiError | NodeOperationError {
	const refused = findCredentialFieldError(error);
	if (refused) return new NodeOperationError(context.getNode(), refused.message, { itemIndex });
	return connectionError(context.getNode(), baseUrl, error, itemIndex, timeoutSeconds);
}

/** Turns what ended the retry loop into the error the user sees. */
function finalError(
	context: IExecutePaginationFunctions,
	baseUrl: string,
	settings: RequestSettings,
	error: unknown,
	outcome: RetryOutcome,
): Error {
	if (isStripeResponseError(error)) {
		const status = error[STRIPE_ERROR_DETAILS]?.httpStatus;
		if (status === 429 && outcome.exhausted) return rateLimitedError(context, error, outcome);
		const keyed = idempotencyFailure(context.getNode(), error, settings, context.getItemIndex());
		if (keyed) return noteRetries(keyed, outcome);
		// Stripe's own answer is already the error to show; NodeApiError hands it back unchanged.
		return noteRetries(new NodeApiError(context.getNode(), error as unknown as JsonObject), outcome);
	}
	if (error instanceof NodeOperationError) return error;
	const failure = noAnswerError(context, baseUrl, error, settings.timeoutSeconds, context.getItemIndex());
	return failure instanceof NodeApiError ? noteRetries(failure, outcome) : failure;
}

/**
 * Every item request of the node goes through here: n8n calls it as the `pagination` function
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
	try {
		return await sendItemRequest(this, requestData);
	} catch (error) {
		// As an AI agent's tool, the message alone must say what to do: the agent sees nothing else.
		throw forAgents(this, error);
	}
}

async function sendItemRequest(
	context: IExecutePaginationFunctions,
	requestData: DeclarativeRestApiSettings.ResultOptions,
): Promise<INodeExecutionData[]> {
	const settings = readRequestSettings(context);
	const baseUrl = String(requestData.options.baseURL ?? '');
	const headers: IDataObject = { ...(requestData.options.headers ?? {}), ...accountHeaders(settings) };
	if (String(requestData.options.method ?? 'GET').toUpperCase() === 'POST') {
		headers['Idempotency-Key'] = idempotencyKeyFor(context, settings);
	}
	const request = { ...requestData, options: { ...requestData.options, ...sendingOptions(settings.timeoutSeconds), headers } };
	const route = {
		context,
		send: routingSender(context),
		limiter: await accountLimiterFor(context, baseUrl, settings.connectedAccount),
		endpoint: endpointKey(String(requestData.options.method ?? 'GET'), String(requestData.options.url ?? '')),
		settings,
	};
	// The operation's postReceive already turned a failed answer into the resource's error.
	const routedItems: Expected<INodeExecutionData[], INodeExecutionData[]> = {
		checked: (items) => items,
		thrown: (error, outcome) => finalError(context, baseUrl, settings, error, outcome),
	};
	const send: SendOnce = async (data) => await sendThroughPipeline(route, data, routedItems);

	const items = await send(request);
	const list = asStripeList(items);
	if (!list) return items;
	const itemIndex = context.getItemIndex();
	const entries = await collectPages(context, send, request, list);
	return entries.map((json) => ({ json, pairedItem: { item: itemIndex } }));
}

function headersWithout(headers: IDataObject | undefined, names: string[]): IDataObject {
	const dropped = new Set(names.map((name) => name.toLowerCase()));
	return Object.fromEntries(Object.entries(headers ?? {}).filter(([name]) => !dropped.has(name.toLowerCase())));
}

/** A lookup's words for its errors: what was being looked up, the permission it needs, and the resource's field names. */
export interface LookupWords {
	lookingUp: string;
	/** Added for a 403: which permission the lookup needs. */
	permission: string;
	/** The message for an answer that is not the one asked for. */
	unexpected: string;
	vocabulary?: ErrorVocabulary;
}

/**
 * A GET on behalf of the item's own request (a lookup it needs first): it goes through the same
 * transport settings and headers as that request, with the node's credential supplying
 * Authorization and Stripe-Version, Request Settings' Stripe-Account scoping it to the same
 * connected account, and the same pacing and retries as every request of the run. What is
 * looked for goes only into the query string or a checked path. Returns the answer in the shape
 * asked for, or throws the error to show, worded with what was being looked up, so that the
 * user knows their own request was not attempted.
 */
export async function sendLookupRequest<Answer>(
	context: IExecuteSingleFunctions,
	itemRequest: IHttpRequestOptions,
	url: string,
	qs: IDataObject,
	shape: AnswerShape<Answer>,
	words: LookupWords,
): Promise<Answer> {
	const settings = readRequestSettings(context);
	const lookup: IHttpRequestOptions = {
		...itemRequest,
		method: 'GET',
		url,
		qs,
		// A GET has no body to describe; an idempotency key belongs to the item's POST alone.
		headers: { ...headersWithout(itemRequest.headers, ['Content-Type', 'Idempotency-Key']), ...accountHeaders(settings) },
		json: true,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		// The item's Timeout, not what the options hold: n8n's routing has already set every
		// request's timeout to 300 s before preSend runs, and an attempt abandoned at Timeout
		// would keep its socket open that long. A lookup never follows a redirect.
		timeout: sendingOptions(settings.timeoutSeconds).timeout,
		disableFollowRedirect: true,
	};
	delete lookup.body;
	const baseUrl = String(itemRequest.baseURL ?? '');
	const route = {
		context,
		send: authenticatedSender(context),
		limiter: await accountLimiterFor(context, baseUrl, settings.connectedAccount),
		endpoint: endpointKey('GET', url),
		settings,
	};
	return await sendThroughPipeline(route, lookup, {
		// Only an error status is retried; any other answer that is not the one asked for fails at once below.
		failure: (response) => (response.statusCode >= 400 ? errorDetailsFromResponse(response) : undefined),
		checked: (response, outcome) => {
			if (response.statusCode === 429 && outcome.exhausted) {
				const error = rateLimitedError(context, stripeApiError(context.getNode(), { ...errorDetailsFromResponse(response), vocabulary: words.vocabulary }), outcome);
				error.description = `${words.lookingUp}\n${error.description ?? ''}`;
				throw error;
			}
			if (response.statusCode >= 400 || !shape(response.body)) throw lookupResponseError(context, response, words);
			return response.body;
		},
		thrown: (error, outcome) => {
			const failure = noAnswerError(context, baseUrl, error, settings.timeoutSeconds, context.getItemIndex());
			return failure instanceof NodeApiError ? noteRetries(failure, outcome) : failure;
		},
	});
}

/**
 * The error for a lookup Stripe refused (or answered with something that is not what was asked
 * for): Stripe's message, preceded by what was being looked up, and, for a 403, which permission
 * the lookup needs.
 */
function lookupResponseError(
	context: IExecuteSingleFunctions,
	response: IN8nHttpFullResponse,
	{ lookingUp, permission, unexpected, vocabulary }: LookupWords,
): NodeApiError {
	// An error status, a redirect or Stripe's error object in a 2xx speak for themselves; any
	// other answer that is not the one asked for gets the lookup's own words.
	const failed = failedAnswer(response);
	const body = response.body as { error?: unknown } | undefined;
	const speaksForItself = response.statusCode >= 300 || (typeof body?.error === 'object' && body.error !== null);
	const details = { ...(failed && speaksForItself ? failed : { ...errorDetailsFromResponse(response), stripe: { message: unexpected } }), vocabulary };
	const error = stripeApiError(context.getNode(), details, context.getItemIndex());
	const permissionNote = response.statusCode === 403 ? `\n${permission}` : '';
	error.description = `${lookingUp}${permissionNote}\n${error.description ?? ''}`;
	return error;
}

/**
 * A GET for the editor's list searches, with the node's credential and the same error
 * handling as node requests, so a missing permission shows Stripe's message in the list.
 * List searches have no item and no execution, so Request Settings do not apply and nothing is
 * retried: each is one request a person waits for in the editor. It still takes its turn under
 * the account's budgets, shared with the workflows running now.
 */
export async function sendListSearchRequest(
	context: ILoadOptionsFunctions,
	path: string,
	qs: IDataObject,
	vocabulary?: ErrorVocabulary,
): Promise<IDataObject> {
	const credentials = await context.getCredentials(CREDENTIAL_TYPE);
	const baseUrl = baseUrlOf(credentials.baseUrl);
	// List searches show the connected account's objects when the node acts for one.
	const headers = listSearchAccountHeaders(context);
	const timeoutSeconds = listSearchTimeoutSeconds(context);
	const { secretKey, live, limits } = credentialAccount(
		credentials,
		(message) => new NodeApiError(context.getNode(), {} as JsonObject, { message, httpCode: 'none' }),
	);
	const route = {
		context,
		send: authenticatedSender(context),
		limiter: limiterFor(accountFingerprint(baseUrl, secretKey, headers['Stripe-Account']), live, limits),
		endpoint: endpointKey('GET', path),
		timeoutSeconds,
	};
	const request: IHttpRequestOptions = {
		method: 'GET',
		url: `${baseUrl}${path}`,
		qs,
		headers,
		json: true,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		...sendingOptions(timeoutSeconds),
	};
	return await sendThroughPipeline(route, request, {
		failure: unusableAnswer(),
		checked: (response) => {
			const failed = failedAnswer(response);
			if (failed) throw stripeApiError(context.getNode(), { ...failed, vocabulary });
			return response.body as IDataObject;
		},
		thrown: (error) => noAnswerError(context, baseUrl, error, timeoutSeconds),
	});
}
