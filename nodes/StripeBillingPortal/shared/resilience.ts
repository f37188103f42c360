import type { IDataObject, IExecuteSingleFunctions, ILoadOptionsFunctions, JsonObject } from 'n8n-workflow';
import { NodeApiError, randomString, sleep } from 'n8n-workflow';

import { CREDENTIAL_TYPE } from './constants';
import { STRIPE_ERROR_DETAILS, type StripeApiError, type StripeErrorDetails } from './errors';
import { isStripeId, STRIPE_ID_EXAMPLES } from './ids';
import { fieldError, quoteValue, textValue } from './validation';

/** Stripe's limits are 25 requests/s in test mode and 100/s in live mode; these leave room for other traffic. */
export const AUTO_REQUESTS_PER_SECOND = { test: 20, live: 80 } as const;
export const DEFAULT_RETRIES = 3;
export const MAX_RETRIES = 10;
/** Stripe keeps idempotency keys of up to 255 characters. */
export const IDEMPOTENCY_KEY_MAX_LENGTH = 255;

const FIRST_RETRY_DELAY_MS = 500;
const MAX_BACKOFF_MS = 8_000;
/** A Retry-After longer than this is not waited for: the run would look hung. */
const MAX_RETRY_AFTER_SECONDS = 60;

/**
 * A dropped or stalled connection may have reached Stripe or not; with an idempotency key a
 * retry is safe either way. Refused connections and unknown hosts are configuration mistakes
 * that a retry cannot fix, so they fail at once.
 */
const RETRYABLE_CONNECTION_CODES = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'EAI_AGAIN']);

export const SETTINGS_FIELD = 'Request Settings';

export interface RequestSettings {
	/** Requests per second; undefined = automatic from the key's mode. */
	maxRequestsPerSecond?: number;
	retries: number;
	connectedAccount?: string;
	idempotencyKey?: string;
}

function settingsError(context: IExecuteSingleFunctions, field: string, problem: string, fix: string) {
	return fieldError(context, `${SETTINGS_FIELD} → ${field}`, problem, fix);
}

function numberSetting(raw: unknown): number | undefined {
	if (raw === undefined || raw === null || raw === '') return undefined;
	return typeof raw === 'number' ? raw : Number(String(raw).trim());
}

/** The Stripe-Account header value, checked: it goes on every request, so a typo must fail early. */
export function connectedAccountOf(context: IExecuteSingleFunctions, raw: unknown): string | undefined {
	const account = textValue(raw);
	if (account === undefined) return undefined;
	if (!isStripeId('account', account)) {
		throw settingsError(
			context,
			'Connected Account',
			`${quoteValue(account)} is not a Stripe account ID`,
			`Enter the connected account's ID, e.g. ${STRIPE_ID_EXAMPLES.account}, as shown in the Stripe dashboard under Connect → Accounts, or remove the setting to act as your own account.`,
		);
	}
	return account;
}

/** The current item's Request Settings, checked before any request is made for it. */
export function readRequestSettings(context: IExecuteSingleFunctions): RequestSettings {
	const raw = (context.getNodeParameter('requestSettings', {}) ?? {}) as IDataObject;

	const rate = numberSetting(raw.maxRequestsPerSecond);
	if (rate !== undefined && !(Number.isFinite(rate) && rate >= 0)) {
		throw settingsError(
			context,
			'Max Requests per Second',
			`${quoteValue(raw.maxRequestsPerSecond)} is not a positive number`,
			`Enter how many requests per second this node may send, e.g. 20, or 0 for automatic (${AUTO_REQUESTS_PER_SECOND.test} with a test key, ${AUTO_REQUESTS_PER_SECOND.live} with a live key).`,
		);
	}

	const retries = numberSetting(raw.retries) ?? DEFAULT_RETRIES;
	if (!(Number.isInteger(retries) && retries >= 0 && retries <= MAX_RETRIES)) {
		throw settingsError(
			context,
			'Retries',
			`${quoteValue(raw.retries)} is not a whole number from 0 to ${MAX_RETRIES}`,
			`Enter how many times a rate-limited or failed request is retried, e.g. ${DEFAULT_RETRIES}; 0 turns retries off.`,
		);
	}

	let idempotencyKey: string | undefined;
	if (raw.idempotencyKey !== undefined) {
		idempotencyKey = textValue(typeof raw.idempotencyKey === 'object' ? JSON.stringify(raw.idempotencyKey) : raw.idempotencyKey);
		// Header values must be visible ASCII; anything else would be mangled or refused in transit.
		if (idempotencyKey !== undefined && !/^[\x20-\x7e]+$/.test(idempotencyKey)) {
			throw settingsError(
				context,
				'Idempotency Key',
				`${quoteValue(idempotencyKey)} contains characters that cannot be sent in a header`,
				'Use letters, digits and punctuation only, e.g. {{ "ticket-" + $json.ticketId }}.',
			);
		}
		if (idempotencyKey !== undefined && idempotencyKey.length > IDEMPOTENCY_KEY_MAX_LENGTH) {
			throw settingsError(
				context,
				'Idempotency Key',
				`is ${idempotencyKey.length} characters long`,
				`Stripe accepts keys of at most ${IDEMPOTENCY_KEY_MAX_LENGTH} characters. Build the key from a short unique value, such as the ticket or order ID.`,
			);
		}
	}

	return {
		maxRequestsPerSecond: rate === undefined || rate === 0 ? undefined : rate,
		retries,
		connectedAccount: connectedAccountOf(context, raw.connectedAccount),
		idempotencyKey,
	};
}

/** Headers every request of the item carries: today only Connect's Stripe-Account. */
export function accountHeaders(settings: RequestSettings): Record<string, string> {
	return settings.connectedAccount ? { 'Stripe-Account': settings.connectedAccount } : {};
}

/**
 * One key per item's POST, made once before the first attempt so every retry of that item
 * sends the same key and Stripe replays rather than repeats. Execution and item are in the
 * key so a request in Stripe's logs can be traced back to the n8n run that sent it.
 */
export function idempotencyKeyFor(context: IExecuteSingleFunctions, settings: RequestSettings): string {
	if (settings.idempotencyKey !== undefined) return settings.idempotencyKey;
	return `n8n-${context.getExecutionId() ?? 'run'}-item${context.getItemIndex()}-${randomString(20)}`;
}

/**
 * Request spacing shared by every item of one node run. n8n starts all items' requests at
 * once; here they queue, and each starts `1000 / rate` ms after the previous one actually
 * started. Spacing from actual starts rather than from a precomputed timetable matters: while
 * n8n prepares a thousand items the event loop is busy, and a timetable's overdue slots would
 * all fire together the moment it frees up, a burst Stripe would answer with 429s.
 */
class Pacer {
	private queue: Promise<void> = Promise.resolve();

	private lastStart = Number.NEGATIVE_INFINITY;

	/** The automatic rate, read from the credential once per run rather than once per item. */
	autoRate?: Promise<number>;

	/** Requests queued for their turn; while there are any, newcomers queue behind them. */
	private waiting = 0;

	async take(requestsPerSecond: number, signal?: AbortSignal): Promise<void> {
		const interval = 1000 / requestsPerSecond;
		// With nobody queued and the interval already over, going through the queue would only
		// cost time: measured, it made an unpaced run a quarter slower.
		if (this.waiting === 0 && performance.now() - this.lastStart >= interval) {
			this.lastStart = performance.now();
			return;
		}
		this.waiting++;
		const turn = this.queue.then(async () => {
			const wait = this.lastStart + interval - performance.now();
			// Below a millisecond a timer only adds its own delay.
			if (wait >= 1) await sleep(wait, signal);
			this.lastStart = performance.now();
		});
		// A cancelled wait must not stall the requests queued behind it.
		this.queue = turn.catch(() => undefined);
		try {
			await turn;
		} finally {
			this.waiting--;
		}
	}
}

/*
 * n8n keeps one context object per node for the whole execution and gives every item's
 * request the same one, so it identifies "this node's run" without any global state. Weak
 * references let the pacer go when the execution does.
 */
const pacers = new WeakMap<object, Pacer>();

function pacerFor(context: IExecuteSingleFunctions): Pacer {
	let owner: object | undefined;
	try {
		owner = context.getContext('node');
	} catch {
		owner = context.getExecutionCancelSignal();
	}
	if (!owner) return new Pacer();
	let pacer = pacers.get(owner);
	if (!pacer) {
		pacer = new Pacer();
		pacers.set(owner, pacer);
	}
	return pacer;
}

async function autoRequestsPerSecond(context: IExecuteSingleFunctions): Promise<number> {
	try {
		const credentials = await context.getCredentials(CREDENTIAL_TYPE);
		// Anything that is not clearly live gets the lower test-mode rate.
		return /^[sr]k_live_/.test(String(credentials.secretKey ?? '').trim())
			? AUTO_REQUESTS_PER_SECOND.live
			: AUTO_REQUESTS_PER_SECOND.test;
	} catch {
		return AUTO_REQUESTS_PER_SECOND.test;
	}
}

/** What the retry loop needs to know about one attempt that failed. */
interface Failure {
	httpStatus?: number;
	code?: string;
	type?: string;
	retryAfterSeconds?: number;
	shouldRetryHeader?: boolean;
	connectionCode?: string;
}

export function failureOf(error: unknown, connectionCode: (error: unknown) => string | undefined): Failure {
	const details = (error as StripeApiError | undefined)?.[STRIPE_ERROR_DETAILS];
	if (details) return failureFromDetails(details);
	return { connectionCode: connectionCode(error) };
}

export function failureFromDetails(details: StripeErrorDetails): Failure {
	return {
		httpStatus: details.httpStatus,
		code: details.stripe?.code,
		type: details.stripe?.type,
		retryAfterSeconds: details.retryAfterSeconds,
		shouldRetryHeader: details.shouldRetryHeader,
	};
}

/** Stripe's advice comes first; without it, only answers that a later attempt can change are retried. */
export function isRetryable(failure: Failure): boolean {
	const status = failure.httpStatus;
	if (status === undefined) return failure.connectionCode !== undefined && RETRYABLE_CONNECTION_CODES.has(failure.connectionCode);
	if (failure.shouldRetryHeader === false) return false;
	if (status === 429 || status >= 500) return true;
	// A lock timeout, or a request with the same idempotency key still in flight.
	if (status === 409) return failure.shouldRetryHeader === true || failure.code === 'lock_timeout' || failure.type === 'idempotency_error';
	return false;
}

/**
 * Exponential backoff with jitter: 0.5 s, 1 s, 2 s … up to 8 s, each scaled by a random 50–100 %
 * so that items rate-limited together do not come back together. Stripe's Retry-After, when
 * given, is the least we wait.
 */
export function retryDelayMs(retry: number, failure: Failure, random: () => number = Math.random): number {
	const backoff = Math.min(FIRST_RETRY_DELAY_MS * 2 ** (retry - 1), MAX_BACKOFF_MS);
	const jittered = backoff * (0.5 + random() / 2);
	const asked = failure.retryAfterSeconds === undefined ? 0 : failure.retryAfterSeconds * 1000;
	return Math.max(jittered, asked);
}

export interface RetryOutcome {
	/** Retries made before the attempt that is being reported. */
	retriesMade: number;
	/** Retries Request Settings allowed. */
	retriesAllowed: number;
	/** True when the last failure was still retryable, i.e. the retries ran out. */
	exhausted: boolean;
	requestsPerSecond: number;
}

export interface PacedRequestContext {
	context: IExecuteSingleFunctions;
	settings: RequestSettings;
	connectionCode: (error: unknown) => string | undefined;
}

/**
 * Answers a request may come back with instead of throwing (lookups ask n8n not to throw on
 * HTTP errors): `failure` says which of them to retry; `giveUp` is called with the last one when
 * the retries run out or it is not retryable, and may throw or hand it back.
 */
export interface ResultRetry<T> {
	failure: (value: T) => Failure | undefined;
	giveUp: (value: T, outcome: RetryOutcome) => T;
}

/**
 * Sends `attempt` through the shared pacer, retrying what Stripe or the network says is
 * worth retrying. A failure that ends the loop is rethrown with `onGiveUp` given the chance
 * to explain it (how many retries, which rate).
 */
export async function pacedWithRetries<T>(
	{ context, settings, connectionCode }: PacedRequestContext,
	attempt: () => Promise<T>,
	onGiveUp: (error: unknown, outcome: RetryOutcome) => unknown,
	resultRetry?: ResultRetry<T>,
): Promise<T> {
	const pacer = pacerFor(context);
	let requestsPerSecond = settings.maxRequestsPerSecond;
	if (requestsPerSecond === undefined) {
		pacer.autoRate ??= autoRequestsPerSecond(context);
		requestsPerSecond = await pacer.autoRate;
	}
	const signal = context.getExecutionCancelSignal();
	for (let retry = 0; ; retry++) {
		await pacer.take(requestsPerSecond, signal);
		let value!: T;
		let failure: Failure | undefined;
		let thrown: unknown;
		try {
			value = await attempt();
			failure = resultRetry?.failure(value);
		} catch (error) {
			thrown = error;
			failure = failureOf(error, connectionCode);
		}
		if (failure === undefined) return value;
		const retryable = isRetryable(failure);
		const tooLongAsked = (failure.retryAfterSeconds ?? 0) > MAX_RETRY_AFTER_SECONDS;
		if (!retryable || retry >= settings.retries || tooLongAsked || signal?.aborted) {
			const outcome = { retriesMade: retry, retriesAllowed: settings.retries, exhausted: retryable, requestsPerSecond };
			if (thrown === undefined && resultRetry) return resultRetry.giveUp(value, outcome);
			throw onGiveUp(thrown, outcome);
		}
		await sleep(retryDelayMs(retry + 1, failure), signal);
	}
}

/** The error for a request Stripe kept rate-limiting: what happened, then what to change. */
export function rateLimitedError(
	context: IExecuteSingleFunctions,
	cause: StripeApiError,
	outcome: RetryOutcome,
): NodeApiError {
	const details = cause[STRIPE_ERROR_DETAILS] as StripeErrorDetails;
	const stripeMessage = details.stripe?.message ?? 'rate limit exceeded';
	const retries = outcome.retriesMade === 1 ? '1 retry' : `${outcome.retriesMade} retries`;
	const error = new NodeApiError(context.getNode(), { httpStatus: 429, ...(details.requestId ? { requestId: details.requestId } : {}) } as JsonObject, {
		message: `Stripe rate limit: ${outcome.retriesMade === 0 ? 'rate-limited' : `still rate-limited after ${retries}`} (${stripeMessage.replace(/\.$/, '')}). Lower ${SETTINGS_FIELD} → Max Requests per Second (was ${formatRate(outcome.requestsPerSecond)}) or raise ${SETTINGS_FIELD} → Retries (was ${outcome.retriesAllowed}).`,
		description: [
			`HTTP 429${details.stripe?.code ? ` · code: ${details.stripe.code}` : ''}${details.requestId ? ` · request ID: ${details.requestId}` : ''}`,
			`Stripe allows about 25 requests per second in test mode and 100 in live mode, shared by everything that uses the account. This node sent at most ${formatRate(outcome.requestsPerSecond)} per second and retried with backoff${details.retryAfterSeconds !== undefined ? `, waiting at least the ${details.retryAfterSeconds} s Stripe asked for` : ''}.`,
			'If other systems use the same Stripe account at the same time, lower Max Requests per Second to leave them room.',
		].join('\n'),
		httpCode: '429',
		itemIndex: context.getItemIndex(),
	});
	(error as StripeApiError)[STRIPE_ERROR_DETAILS] = details;
	return error;
}

function formatRate(rate: number): string {
	return Number.isInteger(rate) ? String(rate) : rate.toFixed(2);
}

/** Adds how many retries were made to an error that retrying did not cure. */
export function noteRetries<E extends { description?: string | null }>(error: E, outcome: RetryOutcome): E {
	if (outcome.retriesMade > 0) {
		const retries = outcome.retriesMade === 1 ? 'once' : `${outcome.retriesMade} times`;
		error.description = `${error.description ? `${error.description}\n` : ''}Retried ${retries} with backoff; ${SETTINGS_FIELD} → Retries sets how often.`;
	}
	return error;
}

/** For list searches in the editor, which have no item: the same Connect header, or none. */
export function listSearchAccountHeaders(context: ILoadOptionsFunctions): Record<string, string> {
	let raw: unknown;
	try {
		raw = context.getNodeParameter('requestSettings.connectedAccount', '');
	} catch {
		raw = undefined;
	}
	const account = textValue(raw);
	if (account === undefined) return {};
	if (!isStripeId('account', account)) {
		throw new NodeApiError(context.getNode(), {} as JsonObject, {
			message: `${SETTINGS_FIELD} → Connected Account: ${quoteValue(account)} is not a Stripe account ID`,
			description: `Enter the connected account's ID, e.g. ${STRIPE_ID_EXAMPLES.account}, or remove the setting to list your own account's objects.`,
			httpCode: 'none',
		});
	}
	return { 'Stripe-Account': account };
}
