/**
 * Stripe's webhook signature scheme (docs.stripe.com/webhooks#verify-manually):
 * `Stripe-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>…]`, each v1 the hex HMAC-SHA256 of
 * `${t}.${payload}` under one of the endpoint's valid secrets (several while a secret is rolled).
 */
import { createHmac, randomBytes } from 'crypto';

export function hmacHex(secret: string, timestamp: number, payload: string): string {
	return createHmac('sha256', secret).update(`${timestamp}.${payload}`, 'utf8').digest('hex');
}

/** The header value for `payload` signed at `timestamp` with each secret, in the order given. */
export function signatureHeader(payload: string, secrets: readonly string[], timestamp: number): string {
	return [`t=${timestamp}`, ...secrets.map((secret) => `v1=${hmacHex(secret, timestamp, payload)}`)].join(',');
}

/** A `whsec_` secret shaped like Stripe's (32 random bytes, base64 without padding). */
export function newSigningSecret(): string {
	return `whsec_${randomBytes(24).toString('base64').replace(/[+/=]/g, '')}`;
}
