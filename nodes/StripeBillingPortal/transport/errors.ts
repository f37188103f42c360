/**
 * Building the errors the user sees from what Stripe answered (answers.ts reads it; the words
 * come from errorMessages.ts and the resource's vocabulary), and the postReceive check every
 * operation ends with.
 */
import type { IHookFunctions, IExecuteSingleFunctions, IN8nHttpFullResponse, INode, INodeExecutionData, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { quoteValue } from '../shared/quote';
import { withFix } from '../shared/validation';
import { failedAnswer, type ErrorVocabulary, type StripeErrorBody, type StripeErrorDetails } from './answers';
import { HINTS, RATE_LIMITED, UNUSABLE_ANSWERS, retriedNote } from './errorMessages';

/**
 * Marks errors made from a Stripe response, so the transport can tell them from
 * connection failures that never reached Stripe.
 */
export const STRIPE_ERROR_DETAILS = Symbol('stripeErrorDetails');

export type StripeApiError = NodeApiError & { [STRIPE_ERROR_DETAILS]?: StripeErrorDetails };

/**
 * A hint for the errors users meet most, phrased as what to change in n8n or in Stripe.
 * Stripe's own message stays the error message; the hint goes into the description.
 */
export function hintFor(httpStatus: number, stripe: StripeErrorBody | undefined, vocabulary?: ErrorVocabulary): string | undefined {
	const own = vocabulary?.hintFor?.(httpStatus, stripe);
	if (own) return own;
	if (httpStatus === 401) return HINTS.unauthorized;
	if (httpStatus === 403) return stripe?.code === 'account_invalid' ? HINTS.connectedAccount : HINTS.forbidden;
	const field = stripe?.param ? vocabulary?.fieldFor(stripe.param) : undefined;
	if (stripe?.code === 'resource_missing') {
		const where = field ? ` in ${field}` : stripe.param ? ` in ${quoteValue(stripe.param)}` : '';
		return HINTS.resourceMissing(where);
	}
	if (httpStatus === 400 && stripe?.type === 'idempotency_error') return HINTS.idempotencyKeyReused;
	if (httpStatus === 429) return HINTS.rateLimited;
	if (httpStatus >= 500) return HINTS.stripeSide;
	if (field) return vocabulary?.jsonInput ? HINTS.jsonField(field) : HINTS.field(field);
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
	const message = details.stripe?.message ?? UNUSABLE_ANSWERS.noMessage(details.httpStatus, details.unexpectedBody !== undefined);
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
			? RATE_LIMITED.notSent(seconds)
			: limited.attempts === 1
				? RATE_LIMITED.limited
				: RATE_LIMITED.stillLimited(limited.attempts, seconds);
	const lock = details.limitedReason === undefined && details.stripe?.code === 'lock_timeout';
	const fix = lock ? RATE_LIMITED.lockFix(limited.maxWaitSeconds) : RATE_LIMITED.trafficFix(limited.maxWaitSeconds);
	const error = new NodeApiError(context.getNode(), { httpStatus: 429, ...(details.requestId ? { requestId: details.requestId } : {}) } as JsonObject, {
		message: RATE_LIMITED.message(what, stripeMessage, fix),
		description: [
			`HTTP 429${details.stripe?.code ? ` · code: ${details.stripe.code}` : ''}${details.limitedReason ? ` · limiter: ${details.limitedReason}` : ''}${details.requestId ? ` · request ID: ${details.requestId}` : ''}`,
			RATE_LIMITED.limits,
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
		error.description = `${error.description ? `${error.description}\n` : ''}${retriedNote(retries)}`;
	}
	return error;
}
