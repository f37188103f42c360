/**
 * Plain HTTP calls to the sandbox, the way any Stripe client sends them: Bearer key, form body
 * encoded with qs (indices, as stripe-node does), optional query. For the sandbox's own tests,
 * which check its answers without a Stripe SDK in between.
 */
import * as qs from 'qs';

export interface CallOptions {
	/** The key to send; null sends no Authorization header. */
	key?: string | null;
	/** Raw string (sent as is) or object (qs-encoded with indices, as stripe-node does). */
	body?: string | Record<string, unknown>;
	query?: string | Record<string, unknown>;
	headers?: Record<string, string>;
	/** Aborts the call: the client going away before the answer. */
	signal?: AbortSignal;
}

export interface CallResult {
	status: number;
	headers: Headers;
	/** Parsed body; `any` because the tests read Stripe-shaped JSON field by field. */
	json: any;
	text: string;
}

export type Call = (method: string, path: string, opts?: CallOptions) => Promise<CallResult>;

/** A `call` bound to a sandbox whose URL is known only once it has started, and a default key. */
export function sandboxHttp(baseUrl: () => string, defaultKey: string): Call {
	return async (method, path, opts = {}) => {
		const headers: Record<string, string> = { ...(opts.headers ?? {}) };
		const key = opts.key === undefined ? defaultKey : opts.key;
		if (key !== null) headers.Authorization = `Bearer ${key}`;
		let body: string | undefined;
		if (opts.body !== undefined) {
			body = typeof opts.body === 'string' ? opts.body : qs.stringify(opts.body);
			headers['Content-Type'] ??= 'application/x-www-form-urlencoded';
		}
		const query =
			opts.query === undefined ? '' : `?${typeof opts.query === 'string' ? opts.query : qs.stringify(opts.query)}`;
		const res = await fetch(`${baseUrl()}${path}${query}`, { method, headers, body, signal: opts.signal });
		const text = await res.text();
		let json: unknown;
		try {
			json = JSON.parse(text);
		} catch {
			json = undefined;
		}
		return { status: res.status, headers: res.headers, json, text };
	};
}
