import type {
	IHookFunctions,
	IDataObject,
	IExecuteSingleFunctions,
	IN8nHttpFullResponse,
	INode,
	INodeExecutionData,
	JsonObject,
} from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { STRIPE_DEFAULT_BASE_URL } from '../shared/constants';
import { quoteValue, shortened } from '../shared/quote';
import { withFix } from '../shared/validation';
import { isPlainObject } from '../shared/values';
import { SETTINGS_FIELD } from './constants';
import { limitedReasonOf, type LimitedReason } from './accountLimiter';

/** The `error` object of a Stripe error response. */
export interface StripeErrorBody {
	type?: string;
	code?: string;
	decline_code?: string;
	message?: string;
	param?: string;
	doc_url?: string;
	request_log_url?: string;
}

/** What the transport knows about a failed request, passed on to retry decisions. */
export interface StripeErrorDetails {
	httpStatus: number;
	requestId?: string;
	stripe?: StripeErrorBody;
	/** The start of a body that is not a Stripe error (an HTML page from a proxy, say). */
	unexpectedBody?: string;
	retryAfterSeconds?: number;
	shouldRetryHeader?: boolean;
	/** Which of Stripe's limiters refused the request (`Stripe-Rate-Limited-Reason`); none for a lock timeout. */
	limitedReason?: LimitedReason;
	/** Stripe's saved answer to an earlier request with the same idempotency key (`Idempotent-Replayed: true`). */
	replayed?: boolean;
	/** The resource's words for its fields, so the hint can name the field to change. */
	vocabulary?: ErrorVocabulary;
}

/**
 * What a resource tells the transport about its form, so that errors name the node's fields
 * rather than Stripe's parameters. The transport knows no resource: each hands in its own.
 */
export interface ErrorVocabulary {
	/** The node's field for a Stripe request parameter (`flow_data[…][subscription]` → "Subscription"). */
	fieldFor: (param: string) => string | undefined;
	/** Whether the body came from a JSON field, so "the field" is a key inside it. */
	jsonInput?: boolean;
	/** A resource's own hint for an error only its requests meet; asked before the general ones. */
	hintFor?: (httpStatus: number, stripe: StripeErrorBody | undefined) => string | undefined;
	/** The same hint in words for an AI agent, where a person's editor steps do not apply. */
	agentHintFor?: (httpStatus: number, stripe: StripeErrorBody | undefined) => string | undefined;
}

/**
 * Marks errors made from a Stripe response, so the transport can tell them from
 * connection failures that never reached Stripe.
 */
export const STRIPE_ERROR_DETAILS = Symbol('stripeErrorDetails');

export type StripeApiError = NodeApiError & { [STRIPE_ERROR_DETAILS]?: StripeErrorDetails };

function headerValue(headers: IDataObject | undefined, name: string): string | undefined {
	if (!headers) return undefined;
	const lower = name.toLowerCase();
	for (const [key, value] of Object.entries(headers)) {
		if (key.toLowerCase() === lower) {
			return Array.isArray(value) ? String(value[0]) : value === undefined ? undefined : String(value);
		}
	}
	return undefined;
}

/**
 * A hint for the errors users meet most, phrased as what to change in n8n or in Stripe.
 * Stripe's own message stays the error message; the hint goes into the description.
 */
export function hintFor(httpStatus: number, stripe: StripeErrorBody | undefined, vocabulary?: ErrorVocabulary): string | undefined {
	const own = vocabulary?.hintFor?.(httpStatus, stripe);
	if (own) return own;
	if (httpStatus === 401) {
		return "Check the Secret Key in the 'Stripe Billing Portal API' credential: it must be a current secret key (sk_test_… or sk_live_…) or restricted key (rk_…) of this Stripe account.";
	}
	if (httpStatus === 403) {
		return "The key is a restricted key without the permission this request needs. In the Stripe dashboard under Developers → API keys, edit the key and grant 'Customer portal: Write' (and 'Customers: Read' to find customers By Email or from lists, 'Subscriptions: Read' to pick subscriptions from lists).";
	}
	const field = stripe?.param ? vocabulary?.fieldFor(stripe.param) : undefined;
	if (stripe?.code === 'resource_missing') {
		const where = field ? ` in ${field}` : stripe.param ? ` in ${quoteValue(stripe.param)}` : '';
		return `Check the ID${where}: it must exist in the same Stripe account and mode (test or live) as the credential's key. Test-mode IDs are not visible to live keys, and the other way round.`;
	}
	if (httpStatus === 400 && stripe?.type === 'idempotency_error') {
		return 'Request Settings → Idempotency Key: Stripe has seen this key in the last 24 hours with different parameters. Each distinct request needs its own key: build it from something unique to the request (e.g. the ticket ID and the flow), or leave the setting empty for a key per item and run.';
	}
	if (httpStatus === 429) {
		return 'Stripe is rate-limiting this account (100 requests per second in live mode, 25 in test mode, 25 per endpoint, shared by everything that uses it). Raise Request Settings → Max Wait for Rate Limits, or run fewer executions at the same time.';
	}
	if (httpStatus >= 500) {
		return 'This is a problem on Stripe’s side. Retry later; if it persists, give Stripe support the request ID.';
	}
	if (field) return vocabulary?.jsonInput ? `Check ${field}.` : `Check the node's ${field} field.`;
	return undefined;
}

function describe(details: StripeErrorDetails): string {
	const { stripe, requestId } = details;
	const facts = [
		`HTTP ${details.httpStatus}`,
		stripe?.type ? `type: ${stripe.type}` : undefined,
		stripe?.code ? `code: ${stripe.code}` : undefined,
		stripe?.decline_code ? `decline code: ${stripe.decline_code}` : undefined,
		stripe?.param ? `param: ${stripe.param}` : undefined,
		requestId ? `request ID: ${requestId}` : undefined,
	].filter(Boolean);
	const lines = [facts.join(' · ')];
	const hint = hintFor(details.httpStatus, stripe, details.vocabulary);
	if (hint) lines.push(hint);
	if (details.unexpectedBody !== undefined) lines.push(`The response began with: ${details.unexpectedBody}`);
	if (stripe?.doc_url) lines.push(`Stripe docs: ${stripe.doc_url}`);
	if (stripe?.request_log_url) lines.push(`Request log: ${stripe.request_log_url}`);
	return lines.join('\n');
}

/** Builds the n8n error for a Stripe error response; the message is Stripe's own. */
export function stripeApiError(node: INode, details: StripeErrorDetails, itemIndex?: number): StripeApiError {
	const message =
		details.stripe?.message ??
		`Stripe answered HTTP ${details.httpStatus} with ${details.unexpectedBody === undefined ? 'no error message' : 'a body that is not a Stripe error'}`;
	// Only plain data goes into the error: n8n serializes it into error items and logs.
	const errorData: JsonObject = {
		httpStatus: details.httpStatus,
		...(details.requestId ? { requestId: details.requestId } : {}),
		...(details.stripe ? { stripeError: details.stripe as JsonObject } : {}),
	};
	const error: StripeApiError = new NodeApiError(node, errorData, {
		message,
		description: describe(details),
		httpCode: String(details.httpStatus),
		itemIndex,
	});
	error[STRIPE_ERROR_DETAILS] = details;
	const hint = hintFor(details.httpStatus, details.stripe, details.vocabulary);
	const agentHint = details.vocabulary?.agentHintFor?.(details.httpStatus, details.stripe);
	if (hint) withFix(error, { user: hint, ...(agentHint ? { agent: agentHint } : {}) });
	return error;
}

export function errorDetailsFromResponse(response: IN8nHttpFullResponse): StripeErrorDetails {
	const headers = response.headers as IDataObject | undefined;
	const body = response.body as unknown;
	let stripe: StripeErrorBody | undefined;
	if (body && typeof body === 'object' && !Array.isArray(body) && 'error' in body) {
		const candidate = (body as { error: unknown }).error;
		if (candidate && typeof candidate === 'object') stripe = candidate as StripeErrorBody;
	}
	let unexpectedBody: string | undefined;
	if (!stripe && body !== undefined && body !== null && body !== '') {
		const text = (typeof body === 'string' ? body : JSON.stringify(body)).replace(/\s+/g, ' ').trim();
		unexpectedBody = text.length > 200 ? `${text.slice(0, 200)}…` : text;
	}
	const retryAfter = Number(headerValue(headers, 'retry-after'));
	const shouldRetry = headerValue(headers, 'stripe-should-retry');
	const limitedReason = limitedReasonOf(headerValue(headers, 'stripe-rate-limited-reason'));
	return {
		httpStatus: response.statusCode,
		requestId: headerValue(headers, 'request-id'),
		stripe,
		unexpectedBody,
		retryAfterSeconds: Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter : undefined,
		shouldRetryHeader: shouldRetry === undefined ? undefined : shouldRetry === 'true',
		...(limitedReason ? { limitedReason } : {}),
		...(headerValue(headers, 'idempotent-replayed') === 'true' ? { replayed: true } : {}),
	};
}

const BASE_URL_ADVICE = `Check the Base URL in the credential (normally ${STRIPE_DEFAULT_BASE_URL}).`;

/**
 * Whether an answer can be used, checked the same way for item requests, their pages, lookups
 * and list searches: an error status; a redirect (Stripe never redirects, so the request went
 * somewhere else, and following it would hand the key to another host); a 2xx that is not a
 * JSON object; a 2xx carrying Stripe's `error` object (Stripe's SDKs raise those too); a list
 * whose entries are not objects. Undefined means the answer is fine.
 */
export function failedAnswer(response: IN8nHttpFullResponse): StripeErrorDetails | undefined {
	const status = response.statusCode;
	const details = errorDetailsFromResponse(response);
	if (status >= 400) return details;
	const body = response.body as unknown;
	const refuse = (message: string): StripeErrorDetails => ({ ...details, stripe: { message } });
	if (status >= 300) {
		const location = headerValue(response.headers as IDataObject | undefined, 'location');
		return refuse(
			`Stripe answered with a redirect (HTTP ${status}${location ? ` to ${shortened(location)}` : ''}), which it never does; the redirect was not followed. ${BASE_URL_ADVICE}`,
		);
	}
	if (!isPlainObject(body)) {
		// A proxy, a captive portal or a wrong Base URL answers with HTML or text.
		return refuse(`Expected a JSON object from Stripe but got ${typeof body === 'string' ? 'text' : Array.isArray(body) ? 'a list' : typeof body}. ${BASE_URL_ADVICE}`);
	}
	if (isPlainObject(body.error)) return { ...details, stripe: body.error as StripeErrorBody };
	if (body.object === 'list') {
		if (!Array.isArray(body.data)) return refuse(`Stripe answered a list without its data. ${BASE_URL_ADVICE}`);
		const odd = body.data.findIndex((entry) => !isPlainObject(entry));
		if (odd >= 0) {
			return refuse(`Stripe answered a list whose entry ${odd + 1} is ${JSON.stringify(body.data[odd]) ?? 'undefined'}, not an object. ${BASE_URL_ADVICE}`);
		}
	}
	return undefined;
}

/** The resource's vocabulary for the current item: fixed, or read from the item's parameters. */
export type VocabularySource = ErrorVocabulary | ((context: IExecuteSingleFunctions) => ErrorVocabulary);

type StripeErrorCheck = ((
	this: IExecuteSingleFunctions,
	items: INodeExecutionData[],
	response: IN8nHttpFullResponse,
) => Promise<INodeExecutionData[]>) & { [STRIPE_ERROR_CHECK]: true };

const STRIPE_ERROR_CHECK = Symbol('stripeErrorCheck');

/** Whether a postReceive hook is one made by stripeErrorCheck: the description test asks. */
export function isStripeErrorCheck(hook: unknown): boolean {
	return typeof hook === 'function' && (hook as Partial<StripeErrorCheck>)[STRIPE_ERROR_CHECK] === true;
}

/**
 * The postReceive every operation ends with, made for one resource. Requests are sent with
 * `ignoreHttpStatusErrors`, so that n8n does not replace Stripe's message with its generic
 * "Bad request - please check your parameters"; this hook turns any non-2xx answer into an
 * error carrying Stripe's message, with a hint in the resource's words.
 */
export function stripeErrorCheck(vocabulary: VocabularySource): StripeErrorCheck {
	const check = async function (
		this: IExecuteSingleFunctions,
		items: INodeExecutionData[],
		response: IN8nHttpFullResponse,
	): Promise<INodeExecutionData[]> {
		const failed = failedAnswer(response);
		if (failed) {
			const words = typeof vocabulary === 'function' ? vocabulary(this) : vocabulary;
			throw stripeApiError(this.getNode(), { ...failed, vocabulary: words }, this.getItemIndex());
		}
		return items;
	};
	return Object.assign(check, { [STRIPE_ERROR_CHECK]: true as const });
}

export function isStripeResponseError(error: unknown): error is StripeApiError {
	return typeof error === 'object' && error !== null && STRIPE_ERROR_DETAILS in error;
}

/** How the retry loop ended, as the error wording tells it. */
export interface RetryOutcome {
	/** Counted retries made before the attempt that is being reported (429 resends are not counted). */
	retriesMade: number;
	/** Retries Request Settings allowed. */
	retriesAllowed: number;
	/** True when the last failure was still retryable, i.e. the retries or the patience ran out. */
	exhausted: boolean;
	/** For an item Stripe kept rate-limiting: for how long, in how many attempts (0: it waited for a turn while the account was rate-limited, and was never sent), and the patience it had. */
	rateLimited?: { waitedMs: number; attempts: number; maxWaitSeconds: number };
}

/** The error for a request Stripe kept rate-limiting: what happened, then what to change. */
export function rateLimitedError(
	context: IExecuteSingleFunctions | IHookFunctions,
	cause: StripeApiError,
	outcome: RetryOutcome,
): NodeApiError {
	const details = cause[STRIPE_ERROR_DETAILS] as StripeErrorDetails;
	const stripeMessage = (details.stripe?.message ?? 'rate limit exceeded').replace(/\.$/, '');
	const limited = outcome.rateLimited ?? { waitedMs: 0, attempts: 1, maxWaitSeconds: 0 };
	const seconds = Math.round(limited.waitedMs / 1000);
	const what =
		limited.attempts === 0
			? `not sent after waiting ${seconds} s for a turn`
			: limited.attempts === 1
				? 'rate-limited'
				: `still rate-limited after ${limited.attempts} attempts over ${seconds} s`;
	const lock = details.limitedReason === undefined && details.stripe?.code === 'lock_timeout';
	const fix = lock
		? `Another request kept changing the same object: run the items that change one object one after another, or raise ${SETTINGS_FIELD} → Max Wait for Rate Limits (was ${limited.maxWaitSeconds} s).`
		: `Other traffic on this Stripe account, or many executions at once, use up its limit: raise ${SETTINGS_FIELD} → Max Wait for Rate Limits (was ${limited.maxWaitSeconds} s), or run fewer executions at the same time.`;
	const error = new NodeApiError(context.getNode(), { httpStatus: 429, ...(details.requestId ? { requestId: details.requestId } : {}) } as JsonObject, {
		message: `Stripe rate limit: ${what} (${stripeMessage}). ${fix}`,
		description: [
			`HTTP 429${details.stripe?.code ? ` · code: ${details.stripe.code}` : ''}${details.limitedReason ? ` · limiter: ${details.limitedReason}` : ''}${details.requestId ? ` · request ID: ${details.requestId}` : ''}`,
			'Stripe allows 100 requests per second in live mode and 25 in test mode per account, and 25 per second on each endpoint. This node shares that budget among every execution in this n8n process and slows down whenever Stripe answers 429; a rate-limited request did nothing, so it was resent with growing pauses until Max Wait for Rate Limits ran out.',
		].join('\n'),
		httpCode: '429',
		// Hook contexts (the trigger's endpoint requests) have no item.
		...('getItemIndex' in context ? { itemIndex: context.getItemIndex() } : {}),
	});
	(error as StripeApiError)[STRIPE_ERROR_DETAILS] = details;
	return error;
}

/** Adds how many retries were made to an error that retrying did not cure. */
export function noteRetries<E extends { description?: string | null }>(error: E, outcome: RetryOutcome): E {
	if (outcome.retriesMade > 0) {
		const retries = outcome.retriesMade === 1 ? 'once' : `${outcome.retriesMade} times`;
		error.description = `${error.description ? `${error.description}\n` : ''}Retried ${retries} with backoff; ${SETTINGS_FIELD} → Retries sets how often.`;
	}
	return error;
}
