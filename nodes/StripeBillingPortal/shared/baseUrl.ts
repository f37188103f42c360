import { STRIPE_API_VERSION, STRIPE_DEFAULT_BASE_URL } from './constants';
import { quoteValue, shortened } from './quote';

/** How messages name the Base URL: where the user finds it. */
export const BASE_URL_FIELD = "Base URL (in the 'Stripe Billing Portal API' credential)";

/**
 * The same as baseUrlOf, as an n8n expression, for `requestDefaults` and the credential test:
 * trimmed (a Base URL pasted with spaces around it is the URL the checks read), Stripe's when
 * empty or not text, without trailing slashes. The lookbehind lets a match start only where a
 * run of slashes starts: `/\/+$/` would retry from every slash of a long run, which takes time
 * growing with the square of its length.
 */
export const BASE_URL_EXPRESSION = `={{ ((typeof $credentials.baseUrl === 'string' ? $credentials.baseUrl.trim() : '') || '${STRIPE_DEFAULT_BASE_URL}').replace(/(?<!\\/)\\/+$/, '') }}`;

/** The Base URL requests go to: the credential's, without trailing slashes, or Stripe's. */
export function baseUrlOf(raw: unknown): string {
	const text = (typeof raw === 'string' ? raw.trim() : '') || STRIPE_DEFAULT_BASE_URL;
	let end = text.length;
	while (end > 0 && text[end - 1] === '/') end--;
	return text.slice(0, end);
}

/** Quotes people paste a key in, as pairs: straight, typographic and backticks. */
const QUOTE_PAIRS: ReadonlyArray<[string, string]> = [
	['"', '"'],
	["'", "'"],
	['`', '`'],
	['“', '”'],
	['‘', '’'],
];

/**
 * The key as Stripe wants it in `Authorization: Bearer …`. Keys are pasted from dashboards, .env
 * files and curl examples: with spaces or a line break around them, in quotes, or as
 * `Bearer sk_…`. Each would make Stripe refuse the key, and would hide a live key from the checks
 * that read its mode from its `sk_live_` prefix; all of them are taken off here.
 */
export function normalizeSecretKey(raw: unknown): string {
	let key = typeof raw === 'string' ? raw.trim() : raw === undefined || raw === null ? '' : String(raw).trim();
	// Each round takes off one layer (quotes, then "Bearer ", or the other way round); three cover any sensible paste.
	for (let round = 0; round < 3; round++) {
		const before = key;
		const pair = QUOTE_PAIRS.find(([open, close]) => key.length >= 2 && key.startsWith(open) && key.endsWith(close));
		if (pair) key = key.slice(1, -1).trim();
		if (/^bearer\s/i.test(key)) key = key.slice(6).trim();
		if (key === before) break;
	}
	return key;
}

/** Whether the key is a live one (sk_live_… or rk_live_…), however it was pasted. */
export function isLiveKey(secretKey: unknown): boolean {
	return /^[sr]k_live_/.test(normalizeSecretKey(secretKey));
}

/** Whether the key is recognisably a test key (sk_test_… or rk_test_…), however it was pasted. */
export function isTestKey(secretKey: unknown): boolean {
	return /^[sr]k_test_/.test(normalizeSecretKey(secretKey));
}

/**
 * Only names that are this machine whatever a resolver says: `localhost`, 127.0.0.0/8 and ::1.
 * Other names (`*.localhost` included) are whatever DNS or /etc/hosts make of them.
 */
function isLoopback(hostname: string): boolean {
	const host = hostname.toLowerCase();
	return host === 'localhost' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * Why a Base URL must not be used with this key, or undefined when it may. Checked where every
 * request gets its key (the credential's authenticate step), so node requests, lookups, list
 * searches and the credential test all refuse alike, before anything is sent:
 * - not an http(s) URL;
 * - a query or fragment, which would end up in front of every request path;
 * - a user name or password in the URL, which would travel with every request;
 * - a live key over plain http:// to a host that is not this machine: the key would cross the
 *   network in clear text. Test keys over http stay allowed, for a local or Docker stripe-mock.
 */
export function baseUrlProblem(rawBaseUrl: unknown, secretKey: unknown): string | undefined {
	const baseUrl = baseUrlOf(rawBaseUrl);
	let url: URL;
	try {
		url = new URL(baseUrl);
	} catch {
		return `${quoteValue(baseUrl)} is not a URL. Enter ${STRIPE_DEFAULT_BASE_URL}, or the address of a local stripe-mock such as http://localhost:12111.`;
	}
	if (url.protocol !== 'https:' && url.protocol !== 'http:') {
		return `${quoteValue(baseUrl)} is not an http(s) address. Enter ${STRIPE_DEFAULT_BASE_URL}.`;
	}
	if (url.search !== '' || url.hash !== '' || baseUrl.includes('?') || baseUrl.includes('#')) {
		return `${quoteValue(baseUrl)} has a query (?…) or fragment (#…), which would be put in front of every request path. Remove everything from the ? or # on, e.g. ${STRIPE_DEFAULT_BASE_URL}.`;
	}
	// URL parsing reads a backslash as a slash, so requests would go to another path than the one shown.
	if (baseUrl.includes('\\')) {
		return `${quoteValue(baseUrl)} contains a backslash (\\). Use forward slashes only, e.g. ${STRIPE_DEFAULT_BASE_URL}.`;
	}
	// Every request path starts with /v1/ already: a Base URL ending in it would send /v1/v1/….
	if (url.pathname.toLowerCase().endsWith('/v1')) {
		return `${quoteValue(baseUrl)} ends in /v1, which every request path already starts with (requests would ask for /v1 twice). Leave out /v1, e.g. ${STRIPE_DEFAULT_BASE_URL}.`;
	}
	if (url.username !== '' || url.password !== '') {
		return `${quoteValue(`${url.protocol}//…@${url.host}`)} carries a user name or password, which would travel with every request. Remove it: the Secret Key is the only credential Stripe needs.`;
	}
	if (url.protocol === 'http:' && !isLoopback(url.hostname)) {
		if (isLiveKey(secretKey)) {
			return `a live key is never sent over plain http:// to ${shortened(url.host)}, where it would cross the network unencrypted. Use https:// (normally ${STRIPE_DEFAULT_BASE_URL}), or a test key (sk_test_…) for a stripe-mock on another host.`;
		}
		// A key whose mode cannot be read may be a live one: it gets the live key's answer.
		if (!isTestKey(secretKey)) {
			return `the Secret Key does not start with sk_test_ or rk_test_, so it may be a live key, and it is never sent over plain http:// to ${shortened(url.host)}, where it would cross the network unencrypted. Use https:// (normally ${STRIPE_DEFAULT_BASE_URL}), or paste only the test key (sk_test_…) for a stripe-mock on another host.`;
		}
	}
	return undefined;
}

/** How messages name the Secret Key: where the user finds it. */
export const SECRET_KEY_FIELD = "Secret Key (in the 'Stripe Billing Portal API' credential)";

/** Stripe's keys are about 100 to 250 characters; far past that, a field holds more than a key. */
export const SECRET_KEY_MAX_LENGTH = 1_000;

const KEY_FIX = 'Paste a secret key (sk_test_… or sk_live_…) or a restricted key (rk_test_… or rk_live_…) from the Stripe dashboard under Developers → API keys.';

/**
 * Why the Secret Key cannot be sent, or undefined when it may. Checked where every request gets
 * its key, so nothing is sent with a key Stripe would refuse anyway, and a field holding far more
 * than a key (a whole .env file) is not sent as a header too large for any server. The messages
 * never repeat the key, nor any part of it.
 */
export function secretKeyProblem(rawKey: unknown): string | undefined {
	const key = normalizeSecretKey(rawKey);
	if (key === '') return `the key is empty. ${KEY_FIX}`;
	if (key.length > SECRET_KEY_MAX_LENGTH) {
		return `the key is ${key.length.toLocaleString('en-US')} characters long; Stripe's keys are a few hundred at most (more than ${SECRET_KEY_MAX_LENGTH.toLocaleString('en-US')} is refused), so the field holds more than a key. ${KEY_FIX}`;
	}
	if (key.startsWith('pk_')) {
		return `this is a publishable key (pk_…), which is meant for browsers and cannot manage billing. ${KEY_FIX}`;
	}
	return undefined;
}

/** How messages name the API Version: where the user finds it. */
export const API_VERSION_FIELD = "API Version (in the 'Stripe Billing Portal API' credential)";

/**
 * A Stripe API version as Stripe names them: a date, its release's name, and any beta flags
 * Stripe lets a Stripe-Version header carry (`2026-10-28.endive; feature_beta=v2`).
 */
const API_VERSION_PATTERN = /^\d{4}-\d{2}-\d{2}(?:\.[a-z]+)?(?:[ \t]*;[ \t]*[a-z][a-z0-9_]*=v\d+)*$/;
const API_VERSION_MAX_LENGTH = 200;

/**
 * Why the credential's API Version cannot be sent, or undefined when it can (empty means the
 * tested version). Stripe's answer to a wrong one quotes it back whole, so a value pasted by
 * mistake (a key, a paragraph) would fill every error message; it is refused before sending.
 */
export function apiVersionProblem(raw: unknown): string | undefined {
	const version = typeof raw === 'string' ? raw.trim() : raw === undefined || raw === null ? '' : String(raw);
	if (version === '') return undefined;
	if (version.length <= API_VERSION_MAX_LENGTH && API_VERSION_PATTERN.test(version)) return undefined;
	return `${quoteValue(version)} is not a Stripe API version. Enter one such as ${STRIPE_API_VERSION} (the version this package is tested against), or leave the field empty to use it.`;
}

/**
 * Raised by the credential's authenticate step for a field that must not be sent as it is. n8n
 * wraps it before the node sees it, so it is marked by name: the transport finds it in the cause
 * chain and shows its message as it is.
 */
export class CredentialFieldError extends Error {
	/** `field` null: the problem is a whole message that names its field already (a rate-limit field's). */
	constructor(problem: string, field: string | null = BASE_URL_FIELD) {
		super(field === null ? problem : `${field}: ${problem}`);
		this.name = 'StripeCredentialFieldError';
	}
}

/** The CredentialFieldError somewhere in an error's cause chain, if any. */
export function findCredentialFieldError(error: unknown): CredentialFieldError | undefined {
	let current: unknown = error;
	for (let depth = 0; depth < 6 && current && typeof current === 'object'; depth++) {
		if ((current as Error).name === 'StripeCredentialFieldError') return current as CredentialFieldError;
		current = (current as { cause?: unknown }).cause;
	}
	return undefined;
}
