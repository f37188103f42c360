/**
 * One address, not a validator of RFC 5322: it keeps out what users paste by mistake (a name with
 * the address, several addresses, spaces, a missing domain). The domain's labels exclude the dot,
 * so the pattern runs in linear time whatever is mapped into it.
 */
export const EMAIL_PATTERN = /^[^\s@<>]+@[^\s@<>.]+(?:\.[^\s@<>.]+)+$/;

/** Stripe stores a customer's email with at most this many characters. */
export const EMAIL_MAX_LENGTH = 512;

export const EMAIL_EXAMPLE = 'jenny.rosen@example.com';

export function isEmailAddress(value: string): boolean {
	return value.length <= EMAIL_MAX_LENGTH && EMAIL_PATTERN.test(value);
}
