/**
 * A subset of Stripe's search query language (https://stripe.com/docs/search#search-query-language):
 * clauses `field:value`, `field~value` (substring, ≥ 3 characters), `field>n` `<` `>=` `<=` on numeric
 * fields, `metadata['key']:value`, negation with a leading `-`, values in single or double quotes
 * (backslash escapes), `null`, clauses joined by spaces / AND or by OR (not both), at most 10 clauses.
 * `:` matches exactly, ignoring case.
 */
import { errors, type StripeApiError } from './errors';

type Operator = ':' | '~' | '>' | '<' | '>=' | '<=';

interface Clause {
	negate: boolean;
	field: string;
	metadataKey?: string;
	op: Operator;
	/** A quoted value is a string; a bare one a number, or null for `null`. */
	value: string | number | null;
	quoted: boolean;
}

export interface SearchField<T> {
	kind: 'string' | 'numeric';
	get(obj: T): string | number | null | undefined;
	/** Whether `~` works on this field. */
	substring?: boolean;
}

export interface SearchSpec<T> {
	/** Resource name as in Stripe's docs anchor, e.g. 'customers'. */
	resource: string;
	fields: Record<string, SearchField<T>>;
	metadata?(obj: T): Record<string, string> | null | undefined;
}

const MAX_CLAUSES = 10;

function queryError(message: string): StripeApiError {
	return errors.invalidRequest(message, 'query');
}

function syntaxError(query: string, pos: number, expected: string): StripeApiError {
	return queryError(
		`Invalid query: expected ${expected} at position ${pos} of \`${query}\`. See https://stripe.com/docs/search#search-query-language for the query syntax.`,
	);
}

export function parseQuery(query: string): { clauses: Clause[]; combinator: 'AND' | 'OR' } {
	const clauses: Clause[] = [];
	let combinator: 'AND' | 'OR' | undefined;
	let i = 0;
	const n = query.length;
	const skipSpace = () => {
		while (i < n && /\s/.test(query[i])) i++;
	};
	const readQuoted = (): string => {
		const quote = query[i++];
		let out = '';
		while (i < n && query[i] !== quote) {
			if (query[i] === '\\' && i + 1 < n) i++;
			out += query[i++];
		}
		if (i >= n) throw syntaxError(query, i, `closing ${quote}`);
		i++;
		return out;
	};
	const readClause = (): Clause => {
		let negate = false;
		if (query[i] === '-') {
			negate = true;
			i++;
		}
		const fm = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(query.slice(i));
		if (!fm) throw syntaxError(query, i, 'a field name');
		const field = fm[0];
		i += field.length;
		let metadataKey: string | undefined;
		if (query[i] === '[') {
			i++;
			if (query[i] !== "'" && query[i] !== '"') throw syntaxError(query, i, 'a quoted key');
			metadataKey = readQuoted();
			if (query[i] !== ']') throw syntaxError(query, i, ']');
			i++;
		}
		const om = /^(>=|<=|:|~|>|<)/.exec(query.slice(i));
		if (!om) throw syntaxError(query, i, 'one of : ~ > < >= <=');
		const op = om[0] as Operator;
		i += op.length;
		if (query[i] === "'" || query[i] === '"') return { negate, field, metadataKey, op, value: readQuoted(), quoted: true };
		const vm = /^[^\s]+/.exec(query.slice(i));
		if (!vm) throw syntaxError(query, i, 'a value');
		i += vm[0].length;
		if (vm[0] === 'null') return { negate, field, metadataKey, op, value: null, quoted: false };
		if (!/^-?\d+(\.\d+)?$/.test(vm[0]))
			throw queryError(
				`Invalid query: the value \`${vm[0]}\` must be quoted. String values are written in single or double quotes, e.g. email:'jenny@example.com'.`,
			);
		return { negate, field, metadataKey, op, value: Number(vm[0]), quoted: false };
	};

	skipSpace();
	if (i >= n) throw queryError('Invalid query: the query is empty.');
	clauses.push(readClause());
	for (;;) {
		const before = i;
		skipSpace();
		if (i >= n) break;
		if (i === before) throw syntaxError(query, i, 'a space between clauses');
		let joiner: 'AND' | 'OR' = 'AND';
		const km = /^(AND|OR)(?=\s)/i.exec(query.slice(i));
		if (km) {
			joiner = km[1].toUpperCase() as 'AND' | 'OR';
			i += km[1].length;
			skipSpace();
			if (i >= n) throw syntaxError(query, i, 'a clause');
		}
		if (combinator !== undefined && combinator !== joiner)
			throw queryError('Invalid query: AND and OR operators cannot be combined in the same query.');
		combinator = joiner;
		clauses.push(readClause());
		if (clauses.length > MAX_CLAUSES)
			throw queryError(`Invalid query: a query may contain at most ${MAX_CLAUSES} clauses.`);
	}
	return { clauses, combinator: combinator ?? 'AND' };
}

/** Parses and checks a query against the resource's fields; returns a predicate. */
export function compileQuery<T>(query: string, spec: SearchSpec<T>): (obj: T) => boolean {
	const { clauses, combinator } = parseQuery(query);
	const tests = clauses.map((c) => compileClause(c, spec));
	return combinator === 'AND' ? (obj) => tests.every((t) => t(obj)) : (obj) => tests.some((t) => t(obj));
}

function compileClause<T>(c: Clause, spec: SearchSpec<T>): (obj: T) => boolean {
	const test = compilePositive(c, spec);
	return c.negate ? (obj) => !test(obj) : test;
}

function compilePositive<T>(c: Clause, spec: SearchSpec<T>): (obj: T) => boolean {
	if (c.field === 'metadata' && spec.metadata) {
		if (c.metadataKey === undefined)
			throw queryError("Invalid query: metadata must be queried by key, e.g. metadata['key']:'value'.");
		if (c.op !== ':') throw queryError(`Invalid query: the ${c.op} operator is not supported for metadata.`);
		const key = c.metadataKey;
		const get = spec.metadata;
		if (c.value === null) return (obj) => get(obj)?.[key] === undefined;
		const want = String(c.value).toLowerCase();
		return (obj) => {
			const v = get(obj)?.[key];
			return v !== undefined && v.toLowerCase() === want;
		};
	}
	const field = spec.fields[c.field];
	if (!field || c.metadataKey !== undefined)
		throw queryError(
			`Field '${c.field}' is an unsupported search field for resource ${spec.resource}. See http://stripe.com/docs/search#query-fields-for-${spec.resource} for a list of supported fields.`,
		);
	if (c.value === null) {
		if (c.op !== ':') throw queryError(`Invalid query: null can only be used with the : operator.`);
		return (obj) => {
			const v = field.get(obj);
			return v === null || v === undefined || v === '';
		};
	}
	if (field.kind === 'numeric') {
		const want = typeof c.value === 'number' ? c.value : Number(c.value);
		if (c.op === '~' || Number.isNaN(want))
			throw queryError(`Invalid query: field '${c.field}' is numeric and takes a number with : > < >= <=.`);
		const cmp = {
			':': (a: number) => a === want,
			'>': (a: number) => a > want,
			'<': (a: number) => a < want,
			'>=': (a: number) => a >= want,
			'<=': (a: number) => a <= want,
		}[c.op];
		return (obj) => {
			const v = field.get(obj);
			return typeof v === 'number' && cmp(v);
		};
	}
	if (!c.quoted) throw queryError(`Invalid query: the value for '${c.field}' must be a quoted string.`);
	const want = String(c.value).toLowerCase();
	if (c.op === ':')
		return (obj) => {
			const v = field.get(obj);
			return typeof v === 'string' && v.toLowerCase() === want;
		};
	if (c.op === '~') {
		if (!field.substring)
			throw queryError(`Invalid query: field '${c.field}' does not support substring matching (~).`);
		if (want.length < 3)
			throw queryError('Invalid query: substring matching (~) requires a value of at least 3 characters.');
		return (obj) => {
			const v = field.get(obj);
			return typeof v === 'string' && v.toLowerCase().includes(want);
		};
	}
	throw queryError(`Invalid query: the ${c.op} operator is only supported for numeric fields.`);
}

/** Opaque `next_page` cursor: offset bound to the query it came from. */
export function encodePage(query: string, offset: number): string {
	return Buffer.from(JSON.stringify([offset, query]), 'utf8').toString('base64url');
}

export function decodePage(page: string, query: string): number {
	try {
		const [offset, q] = JSON.parse(Buffer.from(page, 'base64url').toString('utf8')) as [unknown, unknown];
		if (q === query && typeof offset === 'number' && Number.isSafeInteger(offset) && offset >= 0) return offset;
	} catch {
		// fall through
	}
	throw errors.invalidRequest(`Invalid page: ${page}. Pass the next_page value from a previous search with the same query.`, 'page');
}
