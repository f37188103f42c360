/**
 * The longest a message quotes a value. Values come from forms, expressions and Stripe; an
 * expression can hand over a whole document, and a message carrying it would be as long (and
 * every later step that reads the message, an AI agent included, pays for it).
 */
export const QUOTED_VALUE_MAX_LENGTH = 80;

/**
 * A value as messages quote it: in single quotes, cut to QUOTED_VALUE_MAX_LENGTH characters.
 * The one place messages quote what a user or a server supplied, so no message grows with it.
 */
export function quoteValue(value: unknown): string {
	// JSON would show NaN and Infinity as null, and undefined as nothing at all.
	const text = typeof value === 'string' ? value : typeof value === 'object' && value !== null ? (JSON.stringify(value) ?? String(value)) : String(value);
	return `'${shortened(text)}'`;
}

/** Text a message names without quotes (a Base URL, a redirect's target), cut the same way. */
export function shortened(text: string): string {
	return text.length > QUOTED_VALUE_MAX_LENGTH ? `${text.slice(0, QUOTED_VALUE_MAX_LENGTH - 3)}…` : text;
}

/** How an error message names a value that has the wrong kind. */
export function describeValue(value: unknown): string {
	if (Array.isArray(value)) return 'a list';
	if (typeof value === 'object' && value !== null) return 'an object';
	if (typeof value === 'boolean') return `the boolean ${String(value)}`;
	if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
	if (value === undefined) return 'undefined';
	return quoteValue(value);
}

/**
 * Text without the dots and spaces it ends in, found by walking back from its end, so that a
 * sentence can follow it: a pattern such as `/[.\s]*$/` would retry from every dot and space of a
 * long run, taking time that grows with the square of the run (seconds for a message quoting a
 * long value).
 */
export function withoutClosingDots(text: string): string {
	let end = text.length;
	while (end > 0 && (text[end - 1] === '.' || text[end - 1].trim() === '')) end--;
	return text.slice(0, end);
}
