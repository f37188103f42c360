import type { IDataObject, IExecuteSingleFunctions, ILoadOptionsFunctions, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { isStripeId, STRIPE_ID_EXAMPLES } from '../shared/ids';
import { isExpression, isPlainObject } from '../shared/values';
import { fieldError, quoteValue, readNumber, textValue } from '../shared/validation';
import {
	DEFAULT_MAX_WAIT_SECONDS,
	DEFAULT_RETRIES,
	DEFAULT_TIMEOUT_SECONDS,
	IDEMPOTENCY_KEY_MAX_LENGTH,
	MAX_MAX_WAIT_SECONDS,
	MAX_RETRIES,
	MAX_TIMEOUT_SECONDS,
	MIN_REQUESTS_PER_SECOND,
	SETTINGS_FIELD,
} from './constants';

export interface RequestSettings {
	/** The user's own cap in requests per second for this node's run; undefined = Stripe's limits only. */
	maxRequestsPerSecond?: number;
	retries: number;
	/** How long one attempt waits for Stripe's answer. */
	timeoutSeconds: number;
	/** How long an item may keep being rate-limited (429) before it fails. */
	maxWaitSeconds: number;
	connectedAccount?: string;
	idempotencyKey?: string;
}

function settingsError(context: IExecuteSingleFunctions, field: string, problem: string, fix: string) {
	return fieldError(context, `${SETTINGS_FIELD} → ${field}`, problem, fix);
}

/** A number setting: undefined when blank, NaN for anything that is not a number (refused below). */
function numberSetting(raw: unknown): number | undefined {
	const reading = readNumber(raw);
	return reading.kind === 'empty' ? undefined : reading.kind === 'number' ? reading.value : Number.NaN;
}

/** Timeout's range, for items and list searches alike. */
const TIMEOUT_RANGE = { fallback: DEFAULT_TIMEOUT_SECONDS, minimum: 1, maximum: MAX_TIMEOUT_SECONDS } as const;

/** A number of seconds from a setting: its default when blank, else within [minimum, maximum]. */
function secondsSetting(
	context: IExecuteSingleFunctions,
	raw: unknown,
	field: string,
	{ fallback, minimum, maximum, fix }: { fallback: number; minimum: number; maximum: number; fix: string },
): number {
	const seconds = numberSetting(raw) ?? fallback;
	if (!(Number.isFinite(seconds) && seconds >= minimum && seconds <= maximum)) {
		throw settingsError(context, field, `${quoteValue(raw)} is not a number of seconds from ${minimum} to ${maximum}`, fix);
	}
	return seconds;
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
	// Below one request in about 17 minutes the gap would overflow the host's timers, which then fire at once.
	if (rate !== undefined && !(Number.isFinite(rate) && (rate === 0 || rate >= MIN_REQUESTS_PER_SECOND))) {
		throw settingsError(
			context,
			'Max Requests per Second',
			`${quoteValue(raw.maxRequestsPerSecond)} is not 0 or a number from ${MIN_REQUESTS_PER_SECOND}`,
			'Enter the most requests per second this node may send, e.g. 10, or 0 to follow Stripe’s limits for the account automatically.',
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

	const timeoutSeconds = secondsSetting(context, raw.timeout, 'Timeout', {
		...TIMEOUT_RANGE,
		fix: `Enter how long to wait for each answer from Stripe, e.g. ${DEFAULT_TIMEOUT_SECONDS}.`,
	});
	const maxWaitSeconds = secondsSetting(context, raw.maxWaitForRateLimits, 'Max Wait for Rate Limits', {
		fallback: DEFAULT_MAX_WAIT_SECONDS,
		minimum: 0,
		maximum: MAX_MAX_WAIT_SECONDS,
		fix: `Enter how long an item may keep being rate-limited before it fails, e.g. ${DEFAULT_MAX_WAIT_SECONDS}; 0 fails at the first 429.`,
	});

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
		timeoutSeconds,
		maxWaitSeconds,
		connectedAccount: connectedAccountOf(context, raw.connectedAccount),
		idempotencyKey,
	};
}

/**
 * How every request is sent, whatever sends it: a timeout of its own (n8n's default would wait
 * 300 s per attempt), and no redirects: Stripe never redirects, and n8n would hand the
 * Authorization header on to whatever host the redirect names.
 */
export function sendingOptions(timeoutSeconds: number): { timeout: number; disableFollowRedirect: true } {
	return { timeout: Math.round(timeoutSeconds * 1000), disableFollowRedirect: true };
}

/** Headers every request of the item carries: today only Connect's Stripe-Account. */
export function accountHeaders(settings: RequestSettings): Record<string, string> {
	return settings.connectedAccount ? { 'Stripe-Account': settings.connectedAccount } : {};
}

/**
 * For list searches in the editor, which have no item: the node's Request Settings → Timeout
 * where it is a plain number in range, else the default (an expression there may read an item
 * the editor does not have).
 */
export function listSearchTimeoutSeconds(context: ILoadOptionsFunctions): number {
	let raw: unknown;
	try {
		raw = context.getNodeParameter('requestSettings.timeout', DEFAULT_TIMEOUT_SECONDS);
	} catch {
		return DEFAULT_TIMEOUT_SECONDS;
	}
	const seconds = numberSetting(raw);
	return seconds !== undefined && Number.isFinite(seconds) && seconds >= TIMEOUT_RANGE.minimum && seconds <= TIMEOUT_RANGE.maximum
		? seconds
		: TIMEOUT_RANGE.fallback;
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
	if (account === undefined) {
		// An expression that reads the input item (or an earlier node's) has nothing to read in the
		// editor: listing without the header would show the platform's own objects, and the one
		// picked would not exist in the connected account the run acts for.
		const stored = storedSetting(context);
		// A bare '=' is an empty expression, i.e. no account, not one the editor cannot work out.
		if (isExpression(stored) && (stored as string).slice(1).trim() !== '') {
			throw new NodeApiError(context.getNode(), {} as JsonObject, {
				message: `${SETTINGS_FIELD} → Connected Account: the editor cannot work out this expression without an input item, so the list would show your own account's objects instead of the connected account's`,
				description: `Enter the ID instead of picking From List (the run works the account out for each item), or, while picking, give the account as fixed text, e.g. ${STRIPE_ID_EXAMPLES.account}.`,
				httpCode: 'none',
			});
		}
		return {};
	}
	if (!isStripeId('account', account)) {
		throw new NodeApiError(context.getNode(), {} as JsonObject, {
			message: `${SETTINGS_FIELD} → Connected Account: ${quoteValue(account)} is not a Stripe account ID`,
			description: `Enter the connected account's ID, e.g. ${STRIPE_ID_EXAMPLES.account}, or remove the setting to list your own account's objects.`,
			httpCode: 'none',
		});
	}
	return { 'Stripe-Account': account };
}

/** Connected Account as stored in the workflow, before any expression in it is worked out. */
function storedSetting(context: ILoadOptionsFunctions): unknown {
	try {
		const settings = context.getNode().parameters.requestSettings;
		return isPlainObject(settings) ? (settings as Record<string, unknown>).connectedAccount : undefined;
	} catch {
		return undefined;
	}
}
