import { randomBytes } from 'crypto';

const ALPHANUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Random [A-Za-z0-9] string (not cryptographically uniform; fine for ids). */
export function randomString(length: number, alphabet: string = ALPHANUM): string {
	const bytes = randomBytes(length);
	let out = '';
	for (let i = 0; i < length; i++) out += alphabet[bytes[i] % alphabet.length];
	return out;
}

/** Stripe-style ids: cus_ + 14, bpc_/bps_ + 24, req_ + 14. */
export const newId = {
	customer: () => `cus_${randomString(14)}`,
	configuration: () => `bpc_1${randomString(23)}`,
	session: () => `bps_1${randomString(23)}`,
	subscription: () => `sub_1${randomString(23)}`,
	subscriptionItem: () => `si_${randomString(14)}`,
	price: () => `price_1${randomString(23)}`,
	product: () => `prod_${randomString(14)}`,
	coupon: () => randomString(8),
	promotionCode: () => `promo_1${randomString(23)}`,
	request: () => `req_${randomString(14)}`,
	invoicePrefix: () => randomString(8, 'ABCDEF0123456789'),
};

export function nowSeconds(): number {
	return Math.floor(Date.now() / 1000);
}
