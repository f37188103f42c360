import { STRIPE_DEFAULT_BASE_URL } from './constants';

/** How messages name the Base URL: where the user finds it. */
export const BASE_URL_FIELD = "Base URL (in the 'Stripe Billing Portal API' credential)";

/** The Base URL requests go to: the credential's, without trailing slashes, or Stripe's. */
export function baseUrlOf(raw: unknown): string {
	const text = typeof raw === 'string' ? raw.trim() : '';
	return (text || STRIPE_DEFAULT_BASE_URL).replace(/\/+$/, '');
}

export function isLiveKey(secretKey: unknown): boolean {
	return /^[sr]k_live_/.test(String(secretKey ?? '').trim());
}

function isLoopback(hostname: string): boolean {
	const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
	return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
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
		return `'${baseUrl}' is not a URL. Enter ${STRIPE_DEFAULT_BASE_URL}, or the address of a local stripe-mock such as http://localhost:12111.`;
	}
	if (url.protocol !== 'https:' && url.protocol !== 'http:') {
		return `'${baseUrl}' is not an http(s) address. Enter ${STRIPE_DEFAULT_BASE_URL}.`;
	}
	if (url.search !== '' || url.hash !== '' || baseUrl.includes('?') || baseUrl.includes('#')) {
		return `'${baseUrl}' has a query (?…) or fragment (#…), which would be put in front of every request path. Remove everything from the ? or # on, e.g. ${STRIPE_DEFAULT_BASE_URL}.`;
	}
	if (url.username !== '' || url.password !== '') {
		return `'${url.protocol}//…@${url.host}' carries a user name or password, which would travel with every request. Remove it: the Secret Key is the only credential Stripe needs.`;
	}
	if (url.protocol === 'http:' && isLiveKey(secretKey) && !isLoopback(url.hostname)) {
		return `a live key is never sent over plain http:// to ${url.host}, where it would cross the network unencrypted. Use https:// (normally ${STRIPE_DEFAULT_BASE_URL}), or a test key (sk_test_…) for a stripe-mock on another host.`;
	}
	return undefined;
}

/**
 * Raised by the credential's authenticate step. n8n wraps it before the node sees it, so it is
 * marked by name: the transport finds it in the cause chain and shows its message as it is.
 */
export class BaseUrlError extends Error {
	constructor(problem: string) {
		super(`${BASE_URL_FIELD}: ${problem}`);
		this.name = 'StripeBaseUrlError';
	}
}

/** The BaseUrlError somewhere in an error's cause chain, if any. */
export function findBaseUrlError(error: unknown): BaseUrlError | undefined {
	let current: unknown = error;
	for (let depth = 0; depth < 6 && current && typeof current === 'object'; depth++) {
		if ((current as Error).name === 'StripeBaseUrlError') return current as BaseUrlError;
		current = (current as { cause?: unknown }).cause;
	}
	return undefined;
}
