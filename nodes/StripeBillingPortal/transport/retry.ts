import type { IExecuteSingleFunctions } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import { findBaseUrlError } from '../shared/baseUrl';
import { STRIPE_ERROR_DETAILS, type RetryOutcome, type StripeApiError, type StripeErrorDetails } from './errors';
import type { AccountLimiter, AttemptOutcome, Ticket } from './limiter';
import type { Clock } from './clock';
import { pacerFor, type Pacer } from './pacing';
import type { RequestSettings } from './settings';

const FIRST_RETRY_DELAY_MS = 500;
const MAX_BACKOFF_MS = 8_000;
/** A Retry-After longer than this is not waited for: the run would look hung. */
const MAX_RETRY_AFTER_SECONDS = 60;

/**
 * A dropped or stalled connection, or one that closed while the answer came in
 * (ERR_BAD_RESPONSE), may have reached Stripe or not; with an idempotency key a retry is safe
 * either way. Refused connections and unknown hosts are configuration mistakes that a retry
 * cannot fix, so they fail at once.
 */
const RETRYABLE_CONNECTION_CODES = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'EAI_AGAIN', 'ERR_BAD_RESPONSE']);

/** What the retry loop needs to know about one attempt that failed. */
export interface Failure {
	httpStatus?: number;
	code?: string;
	type?: string;
	retryAfterSeconds?: number;
	shouldRetryHeader?: boolean;
	limitedReason?: StripeErrorDetails['limitedReason'];
	connectionCode?: string;
}

export function failureOf(error: unknown, connectionCode: (error: unknown) => string | undefined): Failure {
	const details = (error as StripeApiError | undefined)?.[STRIPE_ERROR_DETAILS];
	if (details) return failureFromDetails(details);
	// Refused before sending: no attempt can change the credential.
	if (findBaseUrlError(error)) return {};
	return { connectionCode: connectionCode(error) };
}

export function failureFromDetails(details: StripeErrorDetails): Failure {
	return {
		httpStatus: details.httpStatus,
		code: details.stripe?.code,
		type: details.stripe?.type,
		retryAfterSeconds: details.retryAfterSeconds,
		shouldRetryHeader: details.shouldRetryHeader,
		limitedReason: details.limitedReason,
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

/**
 * Pauses between resends of a rate-limited request stay short: the account's budget, lowered
 * by the 429, already spaces the resends, and an item sleeping longer than its turn would leave
 * the budget unused while the execution holds one of n8n's concurrency slots.
 */
const FIRST_RATE_LIMITED_DELAY_MS = 250;
const MAX_RATE_LIMITED_DELAY_MS = 1_000;

/**
 * The pause before resending a request Stripe rate-limited for the n-th time: 0.25 s, 0.5 s,
 * then 1 s, each scaled by a random 50–100 % so that items limited together come back apart,
 * and never less than Stripe's Retry-After.
 */
export function rateLimitedDelayMs(limitedCount: number, failure: Failure, random: () => number = Math.random): number {
	const backoff = Math.min(FIRST_RATE_LIMITED_DELAY_MS * 2 ** (limitedCount - 1), MAX_RATE_LIMITED_DELAY_MS);
	const asked = failure.retryAfterSeconds === undefined ? 0 : failure.retryAfterSeconds * 1000;
	return Math.max(backoff * (0.5 + random() / 2), asked);
}

/** How an attempt's failure tunes the account's budgets. */
function attemptOutcome(failure: Failure | undefined): AttemptOutcome {
	if (failure === undefined) return { kind: 'answered' };
	if (failure.httpStatus === 429 && failure.limitedReason !== undefined) return { kind: 'limited', reason: failure.limitedReason };
	return { kind: 'other' };
}

export interface PacedRequestContext {
	context: IExecuteSingleFunctions;
	settings: RequestSettings;
	connectionCode: (error: unknown) => string | undefined;
	/** The Stripe account's shared budgets, and the endpoint (method and path template) the request counts against. */
	limiter: AccountLimiter;
	endpoint: string;
	/** The run's pacer for the user's own cap unless given: unit tests hand in one on their own clock. */
	pacer?: Pacer;
	/** How pauses wait; n8n's cancellable sleep unless given. */
	sleep?: Clock['sleep'];
	/** The clock patience is measured on. */
	now?: () => number;
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
 * Sends `attempt` when the user's cap (if any) and the account's budgets allow, and again when
 * Stripe or the network says it is worth it. Rate-limited answers (429) did nothing at Stripe,
 * so they are resent until Max Wait for Rate Limits has passed since the item's first one;
 * other retryable failures use up the counted Retries. Every answer tunes the account's
 * budgets. A failure that ends the loop is rethrown with `onGiveUp` given the chance to explain it.
 */
export async function pacedWithRetries<T>(
	{ context, settings, connectionCode, limiter, endpoint, pacer, sleep: wait = sleep, now = () => performance.now() }: PacedRequestContext,
	attempt: () => Promise<T>,
	onGiveUp: (error: unknown, outcome: RetryOutcome) => unknown,
	resultRetry?: ResultRetry<T>,
): Promise<T> {
	const cap = settings.maxRequestsPerSecond;
	const runPacer = cap === undefined ? undefined : (pacer ?? pacerFor(context));
	const signal = context.getExecutionCancelSignal();
	let retries = 0;
	let limitedCount = 0;
	let limitedSince: number | undefined;
	for (;;) {
		// The account's turn is taken within the run's: the user's cap spaces actual starts, even
		// while the account's budget (in slow start, or lowered) holds requests longer than it does.
		let ticket!: Ticket;
		const takeTicket = async () => {
			ticket = await limiter.take(endpoint, signal);
		};
		if (runPacer && cap !== undefined) await runPacer.take(cap, signal, takeTicket);
		else await takeTicket();
		let value!: T;
		let failure: Failure | undefined;
		let thrown: unknown;
		try {
			value = await attempt();
			failure = resultRetry?.failure(value);
		} catch (error) {
			thrown = error;
			failure = failureOf(error, connectionCode);
		} finally {
			limiter.settle(ticket, attemptOutcome(failure));
		}
		if (failure === undefined) return value;

		const retryable = isRetryable(failure);
		let delay: number | undefined;
		let rateLimited: RetryOutcome['rateLimited'];
		if (retryable && failure.httpStatus === 429) {
			limitedCount++;
			limitedSince ??= now();
			const waited = now() - limitedSince;
			const pause = rateLimitedDelayMs(limitedCount, failure);
			if (waited + pause <= settings.maxWaitSeconds * 1000) delay = pause;
			else rateLimited = { waitedMs: waited, attempts: limitedCount, maxWaitSeconds: settings.maxWaitSeconds };
		} else if (retryable && retries < settings.retries && (failure.retryAfterSeconds ?? 0) <= MAX_RETRY_AFTER_SECONDS) {
			retries++;
			delay = retryDelayMs(retries, failure);
		}
		if (delay === undefined || signal?.aborted) {
			const outcome: RetryOutcome = { retriesMade: retries, retriesAllowed: settings.retries, exhausted: retryable, rateLimited };
			if (thrown === undefined && resultRetry) return resultRetry.giveUp(value, outcome);
			throw onGiveUp(thrown, outcome);
		}
		await wait(delay, signal);
	}
}
