/**
 * What every engine-level test of the node needs: the built package loaded through n8n-core,
 * a Stripe sandbox on 127.0.0.1, and a way to run the node on input items.
 */
import { resolve } from 'node:path';
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';
import type Stripe from 'stripe';

import { loadPackage, runNode, type LoadedPackage, type RunNodeResult } from '../harness';
import { DEFAULT_API_VERSION, DEFAULT_SECRET_KEY, SEED_IDS, StripeSandbox, portalProduct, type RecordedRequest, type SandboxOptions, type SandboxStore } from '../sandbox';

export const PACKAGE_DIR = resolve(__dirname, '..', '..');
export const NODE_TYPE = 'stripeBillingPortal';
export const CREDENTIAL_TYPE = 'stripeBillingPortalApi';
export const API_VERSION = DEFAULT_API_VERSION;
export { DEFAULT_SECRET_KEY as SECRET_KEY };

export interface TestEnvironment {
	sandbox: StripeSandbox;
	pkg: LoadedPackage;
}

/** What the seeded default portal configuration returns to, unless a test passes null. */
export const DEFAULT_RETURN_URL = 'https://example.com/default-return';

/**
 * Starts a sandbox and loads the built package once for a test file; resets the sandbox per
 * test. Stripe needs a return URL from the request or the configuration, so by default the
 * seeded configuration carries one and tests need not repeat it.
 */
export function useEnvironment(
	options: SandboxOptions = {},
	{ defaultReturnUrl = DEFAULT_RETURN_URL }: { defaultReturnUrl?: string | null } = {},
): TestEnvironment {
	const environment = {} as TestEnvironment;
	beforeAll(async () => {
		environment.sandbox = new StripeSandbox(options);
		await environment.sandbox.start();
		environment.pkg = await loadPackage(PACKAGE_DIR);
	});
	beforeEach(() => {
		environment.sandbox.reset();
		const configuration = environment.sandbox.store.getConfiguration(SEED_IDS.defaultConfiguration);
		if (configuration) configuration.default_return_url = defaultReturnUrl;
	});
	afterAll(async () => {
		await environment.sandbox?.stop();
	});
	return environment;
}

/** Objects a story references, to create in the sandbox (in `store`, default the platform's) as Stripe would hold them. */
export interface StripeObjects {
	/** Subscriptions of a customer, with the ID of their one item when the story names it. */
	subscriptions?: Array<{ id: string; customer: string; itemId?: string }>;
	/** Prices, all of one product. */
	prices?: string[];
	coupons?: string[];
	/** Promotion codes, of a coupon of their own. */
	promotionCodes?: string[];
}

/** Creates what a story references: Stripe looks each up, and so does the sandbox. */
export function createStripeObjects(
	target: Pick<SandboxStore, 'addSubscription' | 'addProduct' | 'addPrice' | 'addCoupon' | 'addPromotionCode' | 'getConfiguration'>,
	objects: StripeObjects,
): void {
	for (const subscription of objects.subscriptions ?? []) target.addSubscription(subscription);
	if (objects.prices?.length) {
		const product = target.addProduct({ name: 'Story plan' });
		for (const id of objects.prices) target.addPrice({ id, product: product.id });
		// A flow may switch a subscription only to a price the portal offers: the default configuration offers the stories' plan.
		const offered = target.getConfiguration(SEED_IDS.defaultConfiguration)?.features.subscription_update;
		if (offered) offered.products = [...(offered.products ?? []), portalProduct(product.id, objects.prices)];
	}
	for (const id of objects.coupons ?? []) target.addCoupon({ id });
	for (const id of objects.promotionCodes ?? []) target.addPromotionCode({ id, coupon: target.addCoupon().id });
}

/** Creates products with their prices (`{ prod_A: ['price_1'] }`): configurations name them, and Stripe looks them up. */
export function createCatalog(target: Pick<SandboxStore, 'addProduct' | 'addPrice'>, catalog: Record<string, string[]>): void {
	for (const [product, prices] of Object.entries(catalog)) {
		target.addProduct({ id: product });
		for (const price of prices) target.addPrice({ id: price, product });
	}
}

export function credentialsFor(sandbox: StripeSandbox, overrides: IDataObject = {}) {
	return {
		type: CREDENTIAL_TYPE,
		data: { secretKey: DEFAULT_SECRET_KEY, apiVersion: API_VERSION, baseUrl: sandbox.baseUrl, ...overrides },
	};
}

export const customerById = (value: string) => ({ __rl: true, mode: 'id', value });

/** Parameters of Portal Session → Create; the test adds what its story needs. */
export function createSessionParameters(parameters: INodeParameters = {}): INodeParameters {
	return { resource: 'portalSession', operation: 'create', ...parameters };
}

export interface SessionRun extends RunNodeResult {
	/** Requests the sandbox received during this run. */
	requests: RecordedRequest[];
}

/** Runs the node once on `items` with the sandbox credential; returns what it output and what Stripe got. */
export async function runStripeNode(
	environment: TestEnvironment,
	parameters: INodeParameters,
	items: IDataObject[] = [{}],
	options: { continueOnFail?: boolean; credentials?: IDataObject; executionId?: string } = {},
): Promise<SessionRun> {
	const before = environment.sandbox.requests.length;
	const result = await runNode({
		pkg: environment.pkg,
		nodeType: NODE_TYPE,
		parameters,
		items,
		credentials: credentialsFor(environment.sandbox, options.credentials),
		continueOnFail: options.continueOnFail,
		executionId: options.executionId,
	});
	return { ...result, requests: environment.sandbox.requests.slice(before) };
}

export async function runCreateSession(
	environment: TestEnvironment,
	parameters: INodeParameters,
	items: IDataObject[] = [{}],
	options: { continueOnFail?: boolean; credentials?: IDataObject; executionId?: string } = {},
): Promise<SessionRun> {
	return runStripeNode(environment, createSessionParameters(parameters), items, options);
}

/** The decoded body of a session request, typed as Stripe's SDK types it. */
export function sessionBody(request: RecordedRequest): Stripe.BillingPortal.SessionCreateParams {
	return request.body as Stripe.BillingPortal.SessionCreateParams;
}

/**
 * Stripe decodes every form value as a string; the SDK types numbers as numbers. This turns
 * an expected params object into its wire form so the two can be compared exactly.
 */
export function onTheWire<Params extends object = Stripe.BillingPortal.SessionCreateParams>(
	params: Params,
): Record<string, unknown> {
	const convert = (value: unknown): unknown => {
		if (Array.isArray(value)) return value.map(convert);
		if (value && typeof value === 'object') {
			return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, convert(inner)]));
		}
		return typeof value === 'number' || typeof value === 'boolean' ? String(value) : value;
	};
	return convert(params) as Record<string, unknown>;
}

export function jsonOf(items: INodeExecutionData[]): IDataObject[] {
	return items.map((item) => item.json);
}
