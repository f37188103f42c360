/**
 * Reading Stripe's answers: the error body and the headers the transport acts on, and whether an
 * answer can be used at all. What the user then reads is built in errors.ts.
 */
import type { IDataObject, IN8nHttpFullResponse } from 'n8n-workflow';

import { shortened } from '../shared/quote';
import { isPlainObject } from '../shared/values';
import { limitedReasonOf, type LimitedReason } from './accountLimiter';
import { UNUSABLE_ANSWERS } from './errorMessages';

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

/** The longest a message carries a server's own words (Stripe's messages are a sentence or three). */
const SERVER_MESSAGE_MAX_LENGTH = 1000;
/** The longest a message carries the start of a body that is not Stripe's. */
const UNEXPECTED_BODY_MAX_LENGTH = 200;
const SECRET_KEY_TEXT = /\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]+/g;
const BEARER_TEXT = /\bBearer\s+[^\s"',;]+/gi;

/**
 * What a server sent, as a message or an error item may carry it: secret keys and bearer tokens
 * taken out (a proxy or echo service at a wrong Base URL may quote the request's headers back),
 * then cut. Every server text that reaches an error goes through here; the patterns are linear.
 */
export function serverText(text: string, maxLength: number): string {
	const clean = withoutSecrets(text);
	return clean.length > maxLength ? `${clean.slice(0, maxLength)}…` : clean;
}

function withoutSecrets(text: string): string {
	return text.replace(SECRET_KEY_TEXT, (key) => `${key.slice(0, key.indexOf('_', 3) + 1)}[redacted]`).replace(BEARER_TEXT, 'Bearer [redacted]');
}

const STRIPE_ERROR_FIELDS = ['type', 'code', 'decline_code', 'message', 'param', 'doc_url', 'request_log_url'] as const;

/** Only the fields of Stripe's error object the node reads, each a string and cleaned: whatever else a body carries stays out of error items. */
function stripeErrorOf(candidate: object): StripeErrorBody {
	const error: StripeErrorBody = {};
	for (const field of STRIPE_ERROR_FIELDS) {
		const value = (candidate as Record<string, unknown>)[field];
		if (typeof value === 'string') error[field] = serverText(value, field === 'message' ? SERVER_MESSAGE_MAX_LENGTH : UNEXPECTED_BODY_MAX_LENGTH);
	}
	return error;
}

export function errorDetailsFromResponse(response: IN8nHttpFullResponse): StripeErrorDetails {
	const headers = response.headers as IDataObject | undefined;
	const body = response.body as unknown;
	let stripe: StripeErrorBody | undefined;
	if (body && typeof body === 'object' && !Array.isArray(body) && 'error' in body) {
		const candidate = (body as { error: unknown }).error;
		if (candidate && typeof candidate === 'object') stripe = stripeErrorOf(candidate);
	}
	let unexpectedBody: string | undefined;
	if (!stripe && body !== undefined && body !== null && body !== '') {
		const text = (typeof body === 'string' ? body : JSON.stringify(body)).replace(/\s+/g, ' ').trim();
		unexpectedBody = serverText(text, UNEXPECTED_BODY_MAX_LENGTH);
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
		return refuse(UNUSABLE_ANSWERS.redirect(status, location ? shortened(withoutSecrets(location)) : undefined));
	}
	if (!isPlainObject(body)) {
		// A proxy, a captive portal or a wrong Base URL answers with HTML or text.
		return refuse(UNUSABLE_ANSWERS.notJsonObject(typeof body === 'string' ? 'text' : Array.isArray(body) ? 'a list' : typeof body));
	}
	if (isPlainObject(body.error)) return { ...details, stripe: stripeErrorOf(body.error) };
	if (body.object === 'list') {
		if (!Array.isArray(body.data)) return refuse(UNUSABLE_ANSWERS.listWithoutData);
		const odd = body.data.findIndex((entry) => !isPlainObject(entry));
		if (odd >= 0) {
			return refuse(UNUSABLE_ANSWERS.oddListEntry(odd + 1, shortened(withoutSecrets(JSON.stringify(body.data[odd]) ?? 'undefined'))));
		}
	}
	return undefined;
}

/** What a caller expects Stripe to answer: a check of the body that narrows it to that shape. */
export type AnswerShape<Answer> = (body: unknown) => body is Answer;

/** A Stripe list whose every entry passes `isEntry` (Stripe's own `has_more` read as it came). */
export function stripeList<Entry>(isEntry: (entry: unknown) => entry is Entry): AnswerShape<{ data: Entry[]; has_more?: unknown }> {
	return (body): body is { data: Entry[]; has_more?: unknown } => {
		if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
		const { data } = body as { data?: unknown };
		return Array.isArray(data) && data.every(isEntry);
	};
}

/** One Stripe object of the given type (`customer`), deleted or not. */
export function stripeObject(type: string): AnswerShape<IDataObject> {
	return (body): body is IDataObject => typeof body === 'object' && body !== null && (body as IDataObject).object === type;
}
