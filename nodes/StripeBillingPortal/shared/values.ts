/** Whether a value is an object with fields: not null, not a list. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
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
