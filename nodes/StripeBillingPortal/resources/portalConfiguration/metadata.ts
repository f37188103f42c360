/**
 * Stripe's metadata rules, in one place for the Metadata field, Remove Metadata Keys and metadata
 * in JSON input, so that the form and JSON refuse the same keys and values in the same words.
 */
import type { IDataObject, IExecuteSingleFunctions } from 'n8n-workflow';

import { describeValue } from '../../shared/quote';
import { fieldError, quoteValue } from '../../shared/validation';
import { define, groupEntries } from './bodyTree';
import { METADATA_LIMITS, type ConfigurationWrite } from './constants';

type Context = IExecuteSingleFunctions;

/**
 * Keys n8n's request code cannot carry in a body (found by sending each of Object.prototype's
 * names): __proto__, constructor and prototype are dropped without a word, and a toString key
 * makes the request fail before it leaves.
 */
const UNSENDABLE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype', 'toString']);

/**
 * Stripe's rules for a metadata key, for every map of keys the node sends (Metadata, Remove
 * Metadata Keys, metadata in JSON): not empty, at most 40 characters, no square brackets (the
 * request format reads them as nesting, so `metadata[a[b]]` is not the key `a[b]`), and none of
 * the few names n8n cannot send.
 */
export function checkMetadataKey(context: Context, field: string, key: string, at = ''): string {
	if (key.trim() === '') throw fieldError(context, field, `${at}a key is empty`, 'Enter a key, or remove the entry.');
	if (UNSENDABLE_KEYS.has(key)) {
		throw fieldError(
			context,
			field,
			`${at}the key ${quoteValue(key)} cannot be sent through n8n`,
			'n8n drops the keys __proto__, constructor and prototype from a request and fails on toString: use another key, e.g. with a prefix.',
		);
	}
	if (key.length > METADATA_LIMITS.keyLength) {
		throw fieldError(context, field, `${at}the key ${quoteValue(key)} is ${key.length} characters long`, `Stripe allows keys of at most ${METADATA_LIMITS.keyLength} characters.`);
	}
	if (/[[\]]/.test(key)) {
		throw fieldError(context, field, `${at}the key ${quoteValue(key)} contains square brackets`, 'Stripe reads brackets as nesting in its request format; use another key.');
	}
	return key;
}

/** A metadata key as a field or an expression gives it: text or a number, trimmed; undefined when empty. */
function metadataKeyFrom(context: Context, field: string, raw: unknown): string | undefined {
	if (typeof raw === 'number' && Number.isFinite(raw)) return String(raw);
	if (raw === undefined || raw === null) return undefined;
	if (typeof raw !== 'string') {
		throw fieldError(context, field, `the key ${quoteValue(raw)} is ${describeValue(raw)}, not text`, 'Enter the key as text, e.g. team; an expression must give text, not a list or an object.');
	}
	const key = raw.trim();
	return key === '' ? undefined : checkMetadataKey(context, field, key);
}

/**
 * A metadata value: text of at most 500 characters, or a finite number, which Stripe turns into
 * text ("While you can send values as numbers, they will be returned as strings"). true/false, a
 * list or an object is refused: Stripe's MetadataParam has no such values, and n8n would send an
 * object as bracketed sub-keys.
 */
export function checkMetadataValue(context: Context, field: string, key: string, raw: unknown, at = ''): string {
	if (typeof raw === 'number' && Number.isFinite(raw)) return String(raw);
	if (typeof raw !== 'string') {
		throw fieldError(
			context,
			field,
			`${at}the value of ${quoteValue(key)} is ${describeValue(raw)}, not text`,
			'Stripe keeps metadata values as text: give text (or a number), e.g. "true" in quotes or {{ String($json.flag) }}, not true/false, a list or an object.',
		);
	}
	if (raw.length > METADATA_LIMITS.valueLength) {
		throw fieldError(context, field, `${at}the value of ${quoteValue(key)} is ${raw.length} characters long`, `Stripe allows values of at most ${METADATA_LIMITS.valueLength} characters.`);
	}
	return raw;
}

export function checkMetadataCount(context: Context, field: string, count: number): void {
	if (count > METADATA_LIMITS.keys) {
		throw fieldError(context, field, `has ${count} keys`, `Stripe allows at most ${METADATA_LIMITS.keys} keys.`);
	}
}

/** Remove Metadata Keys: comma-separated text, or a list of keys from an expression. */
function keysToRemove(context: Context, raw: unknown): string[] {
	const field = 'Remove Metadata Keys';
	if (raw === undefined || raw === null) return [];
	const entries: unknown[] = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',') : [raw];
	return entries.map((entry) => metadataKeyFrom(context, field, entry)).filter((key): key is string => key !== undefined);
}

export function buildMetadata(context: Context, settings: IDataObject, write: ConfigurationWrite): IDataObject | undefined {
	// A Map, so that no key can collide with an object's inherited properties.
	const metadata = new Map<string, string>();
	groupEntries(settings.metadata, 'pair').forEach((pair, index) => {
		const where = `Metadata (pair ${index + 1})`;
		const key = metadataKeyFrom(context, where, pair.key);
		if (key === undefined) throw fieldError(context, where, 'the key is empty', 'Enter a key, or remove the pair.');
		if (metadata.has(key)) throw fieldError(context, where, `the key ${quoteValue(key)} is listed twice`, 'Give each key once.');
		const raw = typeof pair.value === 'string' ? pair.value.trim() : pair.value;
		if (raw === undefined || raw === null || raw === '') {
			throw fieldError(
				context,
				where,
				`the value of ${quoteValue(key)} is empty`,
				write === 'update' ? 'Enter a value. To delete the key, list it under Remove Metadata Keys instead.' : 'Enter a value, or remove the pair.',
			);
		}
		metadata.set(key, checkMetadataValue(context, where, key, raw));
	});
	for (const key of keysToRemove(context, settings.metadataKeysToRemove)) {
		if (metadata.get(key) === '') continue;
		if (metadata.has(key)) {
			throw fieldError(context, 'Remove Metadata Keys', `${quoteValue(key)} is also set under Metadata`, 'Either set the key or remove it, not both.');
		}
		// An empty value is how Stripe deletes one metadata key; the user asked for exactly that.
		metadata.set(key, '');
	}
	checkMetadataCount(context, 'Metadata', metadata.size);
	if (metadata.size === 0) return undefined;
	const body: IDataObject = {};
	metadata.forEach((value, key) => define(body, key, value));
	return body;
}
