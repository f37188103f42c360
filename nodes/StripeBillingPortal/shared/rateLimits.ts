/**
 * Stripe's rate limits as documented (docs.stripe.com/rate-limits): per account a global rate
 * (25 requests/s in test mode, 100/s in live mode) and, within it, 25/s per endpoint (20/s for
 * the Search API), plus a concurrency limiter with no published number. Stripe raises limits for
 * accounts that ask, so the credential may state the account's own (see statedLimits).
 */
import { isLiveKey, normalizeSecretKey } from './baseUrl';
import { quoteValue } from './quote';
import { readNumber } from './values';

export const STRIPE_RATE_LIMITS = { globalTest: 25, globalLive: 100, endpoint: 25, search: 20 } as const;

/** One account's limits in requests per second, as Stripe enforces them. */
export interface AccountLimits {
	global: number;
	endpoint: number;
	search: number;
	/**
	 * How many processes send with this account's key at once (n8n queue-mode workers), as the
	 * credential states it: each keeps to this share of the limits. Unstated: 1.
	 */
	processes?: number;
}

/** Above this a stated number of processes is surely a typo: each would keep under 1/1000 of the account. */
export const MAX_PROCESSES = 1000;

/** Stripe's documented limits for a key of this mode. */
export function documentedLimits(live: boolean): AccountLimits {
	return {
		global: live ? STRIPE_RATE_LIMITS.globalLive : STRIPE_RATE_LIMITS.globalTest,
		endpoint: STRIPE_RATE_LIMITS.endpoint,
		search: STRIPE_RATE_LIMITS.search,
	};
}

/** The credential's rate-limit fields, as its form and its error messages name them. */
export const RATE_LIMIT_FIELDS = {
	custom: { name: 'customRateLimits', displayName: 'Custom Rate Limits' },
	live: { name: 'liveRequestsPerSecond', displayName: 'Live Mode Requests per Second', documented: STRIPE_RATE_LIMITS.globalLive },
	test: { name: 'testRequestsPerSecond', displayName: 'Test Mode Requests per Second', documented: STRIPE_RATE_LIMITS.globalTest },
	endpoint: { name: 'endpointRequestsPerSecond', displayName: 'Requests per Second per Endpoint', documented: STRIPE_RATE_LIMITS.endpoint },
	processes: { name: 'processesSharingAccount', displayName: 'Processes Sharing the Account' },
} as const;

export const CREDENTIAL_DISPLAY_NAME = 'Stripe Billing Portal API';

/** A rate limit the credential states that cannot be used: the message names the field and the fix. */
export class RateLimitSettingError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'RateLimitSettingError';
	}
}

/**
 * Above this a stated rate is surely a typo (an extra zero or two): Stripe raises limits for
 * accounts that ask, by nothing near this. A cap far above the real limit would make the budget
 * grow back past each 429 within moments, so a typo would cost a quarter of all requests.
 */
export const MAX_STATED_RATE = 10_000;

function statedRate(credentials: Record<string, unknown>, field: (typeof RATE_LIMIT_FIELDS)['live' | 'test' | 'endpoint']): number {
	const raw = credentials[field.name];
	const reading = readNumber(raw);
	if (reading.kind === 'empty') return field.documented;
	if (reading.kind === 'invalid' || reading.value < 1 || reading.value > MAX_STATED_RATE) {
		throw new RateLimitSettingError(
			`${CREDENTIAL_DISPLAY_NAME} credential → ${field.displayName}: ${quoteValue(raw)} is not a number of requests per second from 1 to ${MAX_STATED_RATE}. ` +
				`Enter the limit Stripe gave this account, e.g. ${field.documented} (Stripe's documented default), or turn ${RATE_LIMIT_FIELDS.custom.displayName} off.`,
		);
	}
	return reading.value;
}

/** Custom Rate Limits: the switch, or the text an expression there gives ('true', 'false'); anything else is refused. */
function customLimitsOn(credentials: Record<string, unknown>): boolean {
	const raw = credentials[RATE_LIMIT_FIELDS.custom.name];
	if (raw === undefined || raw === null || raw === false || raw === true) return raw === true;
	const text = typeof raw === 'string' ? raw.trim().toLowerCase() : undefined;
	if (text === 'true') return true;
	if (text === 'false' || text === '') return false;
	throw new RateLimitSettingError(
		`${CREDENTIAL_DISPLAY_NAME} credential → ${RATE_LIMIT_FIELDS.custom.displayName}: ${quoteValue(raw)} is neither on nor off. Turn the switch on or off, or make its expression give true or false.`,
	);
}

/**
 * The limits of the account a credential's key belongs to: Stripe's documented ones, or, with
 * Custom Rate Limits on, the ones it states. The Search API keeps its documented 20/s (at most
 * the endpoint limit): Stripe documents it apart from the endpoint limit it raises.
 * Throws RateLimitSettingError for a stated value that is not a usable rate.
 */
export function statedLimits(credentials: Record<string, unknown>, live: boolean): AccountLimits {
	const documented = documentedLimits(live);
	const processes = statedProcesses(credentials);
	const shared = processes > 1 ? { processes } : {};
	if (!customLimitsOn(credentials)) return { ...documented, ...shared };
	const endpoint = statedRate(credentials, RATE_LIMIT_FIELDS.endpoint);
	// Both modes' fields are checked whichever key is in use, so a typo in the other one shows now,
	// not on the day the key changes.
	const liveRate = statedRate(credentials, RATE_LIMIT_FIELDS.live);
	const testRate = statedRate(credentials, RATE_LIMIT_FIELDS.test);
	return {
		global: live ? liveRate : testRate,
		endpoint,
		search: Math.min(documented.search, endpoint),
		...shared,
	};
}

/** The credential's Processes Sharing the Account: a whole number from 1, or 1 when it is empty (credentials saved before the field existed). */
function statedProcesses(credentials: Record<string, unknown>): number {
	const field = RATE_LIMIT_FIELDS.processes;
	const raw = credentials[field.name];
	const reading = readNumber(raw);
	if (reading.kind === 'empty') return 1;
	if (reading.kind === 'invalid' || !Number.isInteger(reading.value) || reading.value < 1 || reading.value > MAX_PROCESSES) {
		throw new RateLimitSettingError(
			`${CREDENTIAL_DISPLAY_NAME} credential → ${field.displayName}: ${quoteValue(raw)} is not a whole number from 1 to ${MAX_PROCESSES}. ` +
				`Enter how many n8n processes use this key at once (in queue mode, the number of workers), or 1.`,
		);
	}
	return reading.value;
}

/** The Stripe account a credential names, as every way in reads it for its budgets. */
export interface CredentialAccount {
	/** The key as Stripe wants it, however it was pasted. */
	secretKey: string;
	live: boolean;
	limits: AccountLimits;
}

/**
 * Reads the account once, the same way for items, list searches and the trigger's hooks, so that
 * they share one budget whatever the key's spelling. `fail` turns a stated limit that is not usable
 * into the caller's own error (each names the field and the fix in its message).
 */
export function credentialAccount(credentials: Record<string, unknown>, fail: (message: string) => Error): CredentialAccount {
	const secretKey = normalizeSecretKey(credentials.secretKey);
	const live = isLiveKey(secretKey);
	try {
		return { secretKey, live, limits: statedLimits(credentials, live) };
	} catch (error) {
		throw fail((error as Error).message);
	}
}
