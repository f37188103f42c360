/**
 * Stripe's idempotency layer for POST requests, as its docs describe it
 * (docs.stripe.com/api/idempotent_requests, docs.stripe.com/error-low-level):
 *
 * - the status and body of the first request with a key are saved once the endpoint has begun
 *   executing; requests refused before that (authentication, parameter validation, a rate
 *   limiter, which runs before this layer) save nothing and can be retried with the same key;
 * - a later request with the key and the same parameters gets the saved answer again, marked
 *   `Idempotent-Replayed: true`, without running the endpoint a second time;
 * - the same key with other parameters is an idempotency_error;
 * - keys are up to 255 characters; GET and DELETE ignore them.
 *
 * A key belongs to the account (and mode) of the API key that sent it, and to the connected
 * account named in Stripe-Account. Keys do not expire here (Stripe prunes them after 24 hours);
 * reset() forgets them. A request with a key whose first request has not been answered yet (a
 * 'slow', 'delay' or 'stall' fault, an object lock's hold) gets Stripe's 409
 * idempotency_key_in_use, as a request that overlaps another one still running does at Stripe;
 * once answered, the key replays. Stripe carries out a request it has received whether or not
 * the client waits for the answer.
 */
import type { ResolvedKey } from './auth';
import { errors } from './errors';
import type { PlainObject, RecordedRequest } from './types';

export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

/** What the first request with a key was and what it was answered. */
export interface SavedResult {
	method: string;
	path: string;
	/** The merged query and body parameters, as canonical JSON. */
	params: string;
	status: number;
	headers: Record<string, string>;
	body: string;
	requestId: string;
	/** Saved, but its request not yet answered: a request with the key meanwhile gets the 409. */
	inProgress?: boolean;
}

/** A request that carries a key not used before; saved only if its endpoint started. */
export interface NewKey {
	slot: string;
	method: string;
	path: string;
	params: string;
}

export type Lookup = { saved: SavedResult } | { fresh: NewKey } | undefined;

/** JSON with object keys sorted at every depth: the order a form sent them in does not matter. Arrays keep theirs. */
export function canonicalJson(value: unknown): string {
	if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
	if (value !== null && typeof value === 'object') {
		const obj = value as PlainObject;
		return `{${Object.keys(obj)
			.sort()
			.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`)
			.join(',')}}`;
	}
	return JSON.stringify(value) ?? 'null';
}

export class IdempotencyStore {
	private readonly saved = new Map<string, SavedResult>();

	/**
	 * The saved result to replay, or the new key to save under, or undefined when the request
	 * takes no part (not a POST, no key). Throws Stripe's 400s for a key that is too long or
	 * was first used with other parameters.
	 */
	lookup(record: RecordedRequest, key: ResolvedKey, accountId: string, params: PlainObject): Lookup {
		if (record.method !== 'POST') return undefined;
		const header = record.headers['idempotency-key'];
		const idempotencyKey = Array.isArray(header) ? header[0] : header;
		// An empty header is taken as no key (unverified against Stripe; no client sends one).
		if (idempotencyKey === undefined || idempotencyKey === '') return undefined;
		if (idempotencyKey.length > MAX_IDEMPOTENCY_KEY_LENGTH) throw errors.idempotencyKeyTooLong(idempotencyKey);
		const connected = record.headers['stripe-account'];
		// Newlines cannot occur in header values, so they keep the parts of the slot apart.
		const slot = [
			key.livemode ? 'live' : 'test',
			accountId,
			(Array.isArray(connected) ? connected[0] : connected) ?? '',
			idempotencyKey,
		].join('\n');
		const fresh: NewKey = { slot, method: record.method, path: record.path, params: canonicalJson(params) };
		const saved = this.saved.get(slot);
		if (!saved) return { fresh };
		if (saved.inProgress) throw errors.idempotencyKeyInUse(idempotencyKey);
		if (saved.method !== fresh.method || saved.path !== fresh.path || saved.params !== fresh.params)
			throw errors.idempotencyMismatch(idempotencyKey);
		return { saved };
	}

	/** Saves the first result; with `inProgress`, until finish() the key answers the 409 instead of replaying. */
	save(key: NewKey, result: Omit<SavedResult, 'method' | 'path' | 'params'>, inProgress = false): void {
		this.saved.set(key.slot, { method: key.method, path: key.path, params: key.params, ...result, inProgress });
	}

	/**
	 * Marks the key as in progress before its request is handled (a request Stripe has but has not
	 * started on): until the returned release, requests with it get the 409. The release frees the
	 * key only if it is still this mark, so the result saved by the handling stays.
	 */
	take(key: NewKey): () => void {
		const mark: SavedResult = { method: key.method, path: key.path, params: key.params, status: 0, headers: {}, body: '', requestId: '', inProgress: true };
		this.saved.set(key.slot, mark);
		return () => {
			if (this.saved.get(key.slot) === mark) this.saved.delete(key.slot);
		};
	}

	/** The request saved under this key has been answered (or dropped): later ones replay. */
	finish(key: NewKey): void {
		const saved = this.saved.get(key.slot);
		if (saved) saved.inProgress = false;
	}

	get size(): number {
		return this.saved.size;
	}

	clear(): void {
		this.saved.clear();
	}
}
