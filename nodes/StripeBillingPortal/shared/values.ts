/** Whether a value is an object with fields: not null, not a list. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Whether a parameter as the workflow stores it holds an n8n expression (it starts with '='). */
export function isExpression(value: unknown): boolean {
	return typeof value === 'string' && value.startsWith('=');
}

/**
 * A yes/no value as a boolean field or an expression hands it over: true or false, or the text
 * 'true'/'false' (spaces around it ignored); undefined when blank; 'invalid' for anything else.
 * The one reading of such a value, so that a check and the code that acts on it agree.
 */
export function readBoolean(raw: unknown): boolean | undefined | 'invalid' {
	if (typeof raw === 'boolean') return raw;
	if (raw === undefined || raw === null) return undefined;
	if (typeof raw !== 'string' && typeof raw !== 'number') return 'invalid';
	const text = String(raw).trim();
	if (text === '') return undefined;
	return text === 'true' ? true : text === 'false' ? false : 'invalid';
}

/**
 * A number as a form field or an expression hands it over. Blank (nothing, whitespace) is
 * 'empty'; a finite number, or text that spells one, is the number; anything else (NaN,
 * Infinity, true/false, a list, an object, "3 seats") is 'invalid', never a silent 0: Number()
 * reads false, [] and "  " as 0, which Stripe would take as a real value.
 */
export function readNumber(raw: unknown): { kind: 'empty' } | { kind: 'number'; value: number } | { kind: 'invalid' } {
	if (raw === undefined || raw === null) return { kind: 'empty' };
	if (typeof raw === 'number') return Number.isFinite(raw) ? { kind: 'number', value: raw } : { kind: 'invalid' };
	if (typeof raw !== 'string') return { kind: 'invalid' };
	const text = raw.trim();
	if (text === '') return { kind: 'empty' };
	if (!/^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i.test(text)) return { kind: 'invalid' };
	const value = Number(text);
	return Number.isFinite(value) ? { kind: 'number', value } : { kind: 'invalid' };
}
