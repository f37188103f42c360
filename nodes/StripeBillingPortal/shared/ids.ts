/**
 * Stripe promises that the IDs it generates never exceed this many characters (docs.stripe.com/upgrades,
 * "changes we consider backwards-compatible"). Anything longer is not an ID, and a message or a URL
 * path built from it would grow with whatever an expression handed over.
 */
export const STRIPE_ID_MAX_LENGTH = 255;
/** Stripe's general limit on a text parameter ("must be at most 5000 characters"), where no lower one is documented. */
export const STRIPE_TEXT_MAX_LENGTH = 5000;

/** `^prefix_` and letters and digits, the whole ID at most STRIPE_ID_MAX_LENGTH characters. */
function idPattern(prefix: string): RegExp {
	return new RegExp(`^${prefix}_[A-Za-z0-9]{1,${STRIPE_ID_MAX_LENGTH - prefix.length - 1}}$`);
}

/**
 * Stripe object IDs are a fixed prefix and an underscore followed by letters and digits.
 * Checking the shape locally turns a typo into an error that names the field, instead of a
 * request Stripe answers with "No such customer", and keeps anything that is not an ID
 * (slashes, dots, spaces, a whole document) out of URL paths and messages.
 */
export const STRIPE_ID_PATTERNS = {
	account: idPattern('acct'),
	configuration: idPattern('bpc'),
	customer: idPattern('cus'),
	paymentMethodConfiguration: idPattern('pmc'),
	price: idPattern('price'),
	promotionCode: idPattern('promo'),
	subscription: idPattern('sub'),
	subscriptionItem: idPattern('si'),
} as const;

export type StripeIdKind = keyof typeof STRIPE_ID_PATTERNS;

export const STRIPE_ID_EXAMPLES: Record<StripeIdKind, string> = {
	account: 'acct_1PgKyJ2eZvKYlo2C',
	configuration: 'bpc_1PgL0Q2eZvKYlo2C3bEm3MLy',
	customer: 'cus_QXg4jK0yT7oZ3r',
	paymentMethodConfiguration: 'pmc_1PgL4a2eZvKYlo2C',
	price: 'price_1PgL1c2eZvKYlo2CqZ9x0pBd',
	promotionCode: 'promo_1PgL2Z2eZvKYlo2CmgyJ9o8W',
	subscription: 'sub_1PgL3b2eZvKYlo2Cw8Kx0fQn',
	subscriptionItem: 'si_QXg8b3dUh2qLmN',
};

export function isStripeId(kind: StripeIdKind, value: string): boolean {
	return STRIPE_ID_PATTERNS[kind].test(value);
}

/** Regex source for n8n's resource-locator validation, which matches the whole value. */
export function stripeIdRegex(kind: StripeIdKind): string {
	return STRIPE_ID_PATTERNS[kind].source.replace(/^\^/, '').replace(/\$$/, '');
}

/**
 * IDs a merchant may choose (coupons such as `SUMMER25`, products, legacy plans used as
 * prices): only their character set is known. Stripe allows letters, digits, `-` and `_`.
 */
export const MERCHANT_CHOSEN_ID_PATTERN = /^[A-Za-z0-9_-]+$/;

export const COUPON_ID_PATTERN = MERCHANT_CHOSEN_ID_PATTERN;

/** Objects that have a page of their own in the Stripe dashboard, and that page's path. */
export const DASHBOARD_PATHS = {
	customer: 'customers',
	subscription: 'subscriptions',
} as const;

export type DashboardLinkedKind = keyof typeof DASHBOARD_PATHS;

/**
 * A dashboard link to such an object, in test or live mode, optionally under an account; the
 * group captures the ID. Kept as source text because n8n's resource locator takes its URL
 * regexes as strings.
 */
export function dashboardUrlSource(kind: DashboardLinkedKind): string {
	return `https://dashboard\\.stripe\\.com/(?:acct_[A-Za-z0-9]+/)?(?:test/)?${DASHBOARD_PATHS[kind]}/(${stripeIdRegex(kind)})`;
}

/** The ID in a dashboard link (anything after the ID, like `?tab=…`, allowed), or undefined. */
export function idFromDashboardUrl(kind: DashboardLinkedKind, url: string): string | undefined {
	return new RegExp(`^${dashboardUrlSource(kind)}(?:[/?#].*)?$`).exec(url)?.[1];
}
