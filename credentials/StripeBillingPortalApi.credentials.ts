import type {
	ICredentialDataDecryptedObject,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	INodeProperties,
} from 'n8n-workflow';

import {
	API_VERSION_FIELD,
	BASE_URL_EXPRESSION,
	CredentialFieldError,
	SECRET_KEY_FIELD,
	apiVersionProblem,
	baseUrlProblem,
	isLiveKey,
	normalizeSecretKey,
	secretKeyProblem,
} from '../nodes/StripeBillingPortal/shared/baseUrl';
import { STRIPE_API_VERSION, STRIPE_DEFAULT_BASE_URL } from '../nodes/StripeBillingPortal/shared/constants';
import { CONFIGURATIONS_PATH } from '../nodes/StripeBillingPortal/shared/stripePaths';
import { MAX_PROCESSES, RATE_LIMIT_FIELDS, STRIPE_RATE_LIMITS, statedLimits } from '../nodes/StripeBillingPortal/shared/rateLimits';

export class StripeBillingPortalApi implements ICredentialType {
	name = 'stripeBillingPortalApi';

	displayName = 'Stripe Billing Portal API';

	icon: Icon = { light: 'file:stripeBillingPortal.svg', dark: 'file:stripeBillingPortal.dark.svg' };

	documentationUrl = 'https://docs.stripe.com/keys';

	properties: INodeProperties[] = [
		{
			displayName: 'Secret Key',
			name: 'secretKey',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			placeholder: 'e.g. sk_test_… or rk_live_…',
			description:
				'A secret key (sk_test_… or sk_live_…) or a restricted key (rk_test_… or rk_live_…). A restricted key needs “Customer portal: Write”, plus “Customers: Read” to find customers By Email or pick them from a list, and “Subscriptions: Read” to pick subscriptions from a list or find them with Subscription Source. Test keys create test-mode portal links.',
		},
		{
			displayName: 'API Version',
			name: 'apiVersion',
			type: 'string',
			default: STRIPE_API_VERSION,
			description: `The Stripe-Version header sent with every request. This package is tested against ${STRIPE_API_VERSION}; change it only to match another version you have tested.`,
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: STRIPE_DEFAULT_BASE_URL,
			description: `Where requests go: ${STRIPE_DEFAULT_BASE_URL}, or a local stripe-mock or sandbox for testing`,
		},
		{
			displayName: RATE_LIMIT_FIELDS.custom.displayName,
			name: RATE_LIMIT_FIELDS.custom.name,
			type: 'boolean',
			default: false,
			description: `Whether Stripe raised this account's rate limits, or the Base URL has limits of its own (a stripe-mock, a test proxy). Off, the node keeps under Stripe's documented limits (${STRIPE_RATE_LIMITS.globalLive} requests/s live, ${STRIPE_RATE_LIMITS.globalTest}/s test, ${STRIPE_RATE_LIMITS.endpoint}/s per endpoint) and slows down on its own when Stripe answers 429, so a value set too high costs retries, not failures.`,
		},
		{
			displayName: RATE_LIMIT_FIELDS.live.displayName,
			name: RATE_LIMIT_FIELDS.live.name,
			type: 'number',
			typeOptions: { minValue: 1 },
			default: STRIPE_RATE_LIMITS.globalLive,
			displayOptions: { show: { [RATE_LIMIT_FIELDS.custom.name]: [true] } },
			description: `The account's global limit with a live key, as Stripe granted it (documented default ${STRIPE_RATE_LIMITS.globalLive})`,
		},
		{
			displayName: RATE_LIMIT_FIELDS.test.displayName,
			name: RATE_LIMIT_FIELDS.test.name,
			type: 'number',
			typeOptions: { minValue: 1 },
			default: STRIPE_RATE_LIMITS.globalTest,
			displayOptions: { show: { [RATE_LIMIT_FIELDS.custom.name]: [true] } },
			description: `The account's global limit with a test key, or the Base URL's own limit (documented default ${STRIPE_RATE_LIMITS.globalTest})`,
		},
		{
			displayName: RATE_LIMIT_FIELDS.endpoint.displayName,
			name: RATE_LIMIT_FIELDS.endpoint.name,
			type: 'number',
			typeOptions: { minValue: 1 },
			default: STRIPE_RATE_LIMITS.endpoint,
			displayOptions: { show: { [RATE_LIMIT_FIELDS.custom.name]: [true] } },
			description: `Each endpoint's limit (e.g. creating portal sessions), within the global one (documented default ${STRIPE_RATE_LIMITS.endpoint}; the Search API keeps at most its ${STRIPE_RATE_LIMITS.search}, and no more than this)`,
		},
		{
			displayName: RATE_LIMIT_FIELDS.processes.displayName,
			name: RATE_LIMIT_FIELDS.processes.name,
			type: 'number',
			typeOptions: { minValue: 1, maxValue: MAX_PROCESSES, numberPrecision: 0 },
			default: 1,
			description:
				"How many n8n processes use this key at the same time. In queue mode every worker is its own process and cannot see the others' requests: enter the number of workers (one more if the main process runs executions too). Each process then keeps to its share of the account's limits, so together they stay under them with almost no 429s. At 1, processes sharing the account find their shares from Stripe's 429s, which costs retries.",
		},
	];

	/**
	 * Every request gets its key here, node requests, lookups, list searches and this
	 * credential's own test alike, so this is where a Base URL that must not receive the key is
	 * refused (see baseUrlProblem), before anything is sent. Keys are pasted with spaces, quotes
	 * or a `Bearer ` in front (see normalizeSecretKey), which Stripe would refuse; an empty key, a
	 * publishable one or a field holding far more than a key is refused (see secretKeyProblem); an
	 * emptied API Version falls back to the tested one. The rate-limit fields are checked as every
	 * node run checks them (statedLimits), so the credential's Test button refuses what a run would.
	 */
	async authenticate(credentials: ICredentialDataDecryptedObject, requestOptions: IHttpRequestOptions): Promise<IHttpRequestOptions> {
		const problem = baseUrlProblem(credentials.baseUrl, credentials.secretKey);
		if (problem !== undefined) throw new CredentialFieldError(problem);
		const keyProblem = secretKeyProblem(credentials.secretKey);
		if (keyProblem !== undefined) throw new CredentialFieldError(keyProblem, SECRET_KEY_FIELD);
		const versionProblem = apiVersionProblem(credentials.apiVersion);
		if (versionProblem !== undefined) throw new CredentialFieldError(versionProblem, API_VERSION_FIELD);
		try {
			statedLimits(credentials, isLiveKey(credentials.secretKey));
		} catch (error) {
			// A RateLimitSettingError, the only error statedLimits throws: its message names the field already.
			throw new CredentialFieldError((error as Error).message, null);
		}
		return {
			...requestOptions,
			headers: {
				...(requestOptions.headers ?? {}),
				Authorization: `Bearer ${normalizeSecretKey(credentials.secretKey)}`,
				'Stripe-Version': String(credentials.apiVersion ?? '').trim() || STRIPE_API_VERSION,
			},
		};
	}

	// The portal configurations list needs only the Customer portal permission, so this test
	// passes for a restricted key that can do everything the node needs, unlike /v1/balance.
	// Like every other request it never follows a redirect: n8n would send the Authorization
	// header on to whatever host the redirect names (older versions always, 2.x by default).
	test: ICredentialTestRequest = {
		request: {
			baseURL: BASE_URL_EXPRESSION,
			url: CONFIGURATIONS_PATH,
			qs: { limit: 1 },
			disableFollowRedirect: true,
		},
		rules: [
			...[301, 302, 303, 307, 308].map((value) => ({
				type: 'responseCode' as const,
				properties: {
					value,
					message: `The Base URL answered with a redirect (HTTP ${value}), which Stripe never sends; it was not followed, so the key went nowhere else. Set Base URL to ${STRIPE_DEFAULT_BASE_URL}, or to your stripe-mock's own address.`,
				},
			})),
			{
				type: 'responseCode',
				properties: {
					value: 401,
					message: 'Stripe rejected the key: check that it is a current sk_ or rk_ key of this account.',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 403,
					message:
						'This restricted key lacks the “Customer portal” permission: grant “Customer portal: Write” in the Stripe dashboard under Developers → API keys.',
				},
			},
		],
	};
}
