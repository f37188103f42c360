/**
 * The body from JSON input (Input Mode: JSON), checked against the parameter tree in constants.ts
 * before it is sent, because n8n's form encoder drops or mangles what Stripe's types do not allow
 * (null, {}, [], NaN, a list where one value belongs) without a word.
 */
import type { IDataObject, IExecuteSingleFunctions } from 'n8n-workflow';
import { jsonParse } from 'n8n-workflow';

import { describeValue } from '../../shared/quote';
import { isPlainObject } from '../../shared/values';
import { checkHttpUrl, checkTextLength, expandPaths, fieldError, quoteValue } from '../../shared/validation';
import { define, own } from './bodyTree';
import {
	CONFIGURATION_CREATE_PARAMS,
	CONFIGURATION_UPDATE_PARAMS,
	expandable,
	type ConfigurationWrite,
	type ParamKeys,
	type ParamSpec,
} from './constants';
import { checkMetadataCount, checkMetadataKey, checkMetadataValue } from './metadata';

type Context = IExecuteSingleFunctions;

/** The field that holds JSON input. */
export const JSON_FIELD = 'Configuration (JSON)';

/**
 * Longer keys get no spelling suggestion: the edit distance costs the key's length times each
 * candidate's, and a key this far beyond Stripe's longest (about 30 characters) is no typo.
 */
const SUGGESTED_KEY_MAX_LENGTH = 64;

function closest(key: string, candidates: string[]): string | undefined {
	if (key.length > SUGGESTED_KEY_MAX_LENGTH) return undefined;
	const distance = (a: string, b: string): number => {
		const row = Array.from({ length: b.length + 1 }, (_, index) => index);
		for (let i = 1; i <= a.length; i++) {
			let previous = row[0];
			row[0] = i;
			for (let j = 1; j <= b.length; j++) {
				const current = row[j];
				row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
				previous = current;
			}
		}
		return row[b.length];
	};
	const ranked = candidates.map((candidate) => ({ candidate, score: distance(key, candidate) })).sort((a, b) => a.score - b.score);
	return ranked[0] && ranked[0].score <= Math.max(2, Math.floor(key.length / 3)) ? ranked[0].candidate : undefined;
}

/**
 * JSON input, checked against the parameter tree and returned as the body to send. Keys Stripe
 * does not know are named; so is every value n8n's form encoder would drop or mangle: null and
 * undefined, {} and [] (dropped), NaN and Infinity, a list or object where one value belongs
 * (sent as bracketed sub-keys). An empty list goes out as '' where Stripe's type is
 * `Emptyable<…>` (Stripe's "clear"), and is refused elsewhere. Metadata follows the same rules as
 * the Metadata field.
 */
function jsonObject(context: Context, raw: unknown, keys: ParamKeys, path: string): IDataObject {
	if (!isPlainObject(raw)) {
		throw fieldError(context, JSON_FIELD, `${path ? quoteValue(path) : 'the JSON'} must be an object`, 'Write it as { "key": value, … } in Stripe’s parameter names.');
	}
	const entries = Object.entries(raw);
	if (entries.length === 0 && path) {
		throw fieldError(context, JSON_FIELD, `${quoteValue(path)} is an empty object`, 'n8n sends nothing for {}: give its parameters, or leave the key out.');
	}
	const body: IDataObject = {};
	for (const [key, child] of entries) {
		const where = path ? `${path}.${key}` : key;
		const spec = own(keys, key);
		if (spec === undefined) {
			const allowed = `Allowed here: ${Object.keys(keys).join(', ')}.`;
			const suggestion = closest(key, Object.keys(keys));
			throw fieldError(
				context,
				JSON_FIELD,
				`${quoteValue(where)} is not a parameter of a portal configuration`,
				suggestion ? `Did you mean '${path ? `${path}.` : ''}${suggestion}'? ${allowed}` : allowed,
			);
		}
		define(body, key, jsonValue(context, child, spec, where));
	}
	return body;
}

function jsonValue(context: Context, raw: unknown, spec: ParamSpec, where: string): unknown {
	const refuse = (problem: string, fix: string) => fieldError(context, JSON_FIELD, `${quoteValue(where)} ${problem}`, fix);
	if (raw === null) throw refuse('is null', 'Leave the key out to keep the value; to clear a field, give it "" (an empty string).');
	if (raw === undefined) throw refuse('is undefined', 'Leave the key out, or give it a value.');
	const emptyable = spec.kind !== 'expand' && spec.kind !== 'object' && spec.emptyable;
	if (raw === '') {
		if (emptyable) return '';
		throw refuse('cannot be cleared', 'Stripe has no empty value for it: leave the key out, or give it a value.');
	}
	const emptyList = () => {
		// n8n's encoder sends nothing for []; Stripe reads '' as the empty list.
		if (emptyable) return '';
		throw refuse('is an empty list', 'Stripe cannot clear this list and n8n sends nothing for []: leave the key out, or list at least one entry.');
	};
	switch (spec.kind) {
		case 'value':
			if (typeof raw === 'string') {
				// Checked as the form checks the same fields: Stripe would refuse these only after the request.
				const field = `${JSON_FIELD} → ${where}`;
				if (spec.url) return checkHttpUrl(context, raw, field);
				return checkTextLength(context, raw, field, 'Shorten the text.', spec.maxLength);
			}
			if (typeof raw === 'boolean' || (typeof raw === 'number' && Number.isFinite(raw))) return raw;
			throw refuse(`is ${describeValue(raw)}`, 'Give one value here (text, a number or true/false): n8n would send a list or an object as bracketed sub-keys, and NaN or Infinity as text.');
		case 'values':
			if (!Array.isArray(raw)) throw refuse(`is ${describeValue(raw)}, not a list`, 'Write it as [ "…", … ].');
			if (raw.length === 0) return emptyList();
			return raw.map((entry, index) => {
				if (typeof entry === 'string' ? entry.trim() !== '' : typeof entry === 'number' && Number.isFinite(entry)) return entry;
				throw fieldError(context, JSON_FIELD, `${quoteValue(`${where}[${index}]`)} is ${entry === '' ? 'empty' : describeValue(entry)}`, `Each entry of ${quoteValue(where)} is one value, e.g. [ "a", "b" ].`);
			});
		case 'objects':
			if (!Array.isArray(raw)) throw refuse(`is ${describeValue(raw)}, not a list`, 'Write it as [ { … }, … ].');
			if (raw.length === 0) return emptyList();
			return raw.map((entry, index) => jsonObject(context, entry, spec.item, `${where}[${index}]`));
		case 'object':
			return jsonObject(context, raw, spec.keys, where);
		case 'metadata':
			return jsonMetadata(context, raw, where, spec.emptyable);
		case 'expand':
			if (!Array.isArray(raw)) throw refuse(`is ${describeValue(raw)}, not a list`, 'Write it as [ "application" ].');
			if (raw.length === 0) return emptyList();
			return expandPaths(context, raw, `${JSON_FIELD} → ${where}`, expandable(false));
	}
}

function jsonMetadata(context: Context, raw: unknown, where: string, emptyable: boolean): IDataObject {
	const at = `${quoteValue(where)}: `;
	if (!isPlainObject(raw)) {
		throw fieldError(context, JSON_FIELD, `${quoteValue(where)} is ${describeValue(raw)}`, 'Write it as { "key": "value", … }.');
	}
	const entries = Object.entries(raw);
	if (entries.length === 0) {
		throw fieldError(
			context,
			JSON_FIELD,
			`${quoteValue(where)} is an empty object`,
			emptyable ? 'n8n sends nothing for {}: to delete every key give "" (an empty string); to keep them, leave the key out.' : 'n8n sends nothing for {}: leave the key out, or give key-value pairs.',
		);
	}
	checkMetadataCount(context, JSON_FIELD, entries.length);
	const metadata: IDataObject = {};
	for (const [key, value] of entries) {
		checkMetadataKey(context, JSON_FIELD, key, at);
		if (value === null || value === undefined) {
			throw fieldError(context, JSON_FIELD, `${at}the value of ${quoteValue(key)} is ${String(value)}`, 'Give the value as text; to delete the key, give it "" (an empty string).');
		}
		// '' deletes the key: "Individual keys can be unset by posting an empty value to them."
		define(metadata, key, value === '' ? '' : checkMetadataValue(context, JSON_FIELD, key, value, at));
	}
	return metadata;
}

export function bodyFromJson(context: Context, write: ConfigurationWrite): IDataObject {
	const raw = context.getNodeParameter('configurationJson', '{}') as unknown;
	let parsed: unknown = raw;
	if (typeof raw === 'string') {
		try {
			parsed = jsonParse(raw);
		} catch (error) {
			throw fieldError(context, JSON_FIELD, `is not valid JSON (${(error as Error).message})`, 'Check quotes, commas and braces, e.g. { "features": { "invoice_history": { "enabled": true } } }.');
		}
	}
	return jsonObject(context, parsed, write === 'create' ? CONFIGURATION_CREATE_PARAMS : CONFIGURATION_UPDATE_PARAMS, '');
}
