/**
 * Invariants over the whole node description: what n8n's editor and the declarative engine
 * rely on, checked once for every field so a new field cannot quietly break them.
 */
import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';
import Stripe from 'stripe';

import { StripeBillingPortalApi } from '../credentials/StripeBillingPortalApi.credentials';
import { StripeBillingPortal } from '../nodes/StripeBillingPortal/StripeBillingPortal.node';
import { FLOW_TYPES, PORTAL_LOCALES } from '../nodes/StripeBillingPortal/resources/portalSession/constants';
import { STRIPE_API_VERSION } from '../nodes/StripeBillingPortal/shared/constants';
import { sendStripeRequest } from '../nodes/StripeBillingPortal/transport';
import { isStripeErrorCheck } from '../nodes/StripeBillingPortal/transport/errors';

/** The named members of a Stripe enum type, without the SDK's catch-all `OtherString`. */
type Known<T> = T extends string ? (string extends T ? never : T) : never;

// Each record must name every member of Stripe's type and nothing else, or this file does not compile.
const stripeLocales: Record<Known<Stripe.BillingPortal.SessionCreateParams.Locale>, true> = {
	auto: true, bg: true, cs: true, da: true, de: true, el: true, en: true, 'en-AU': true, 'en-CA': true,
	'en-GB': true, 'en-IE': true, 'en-IN': true, 'en-NZ': true, 'en-SG': true, es: true, 'es-419': true,
	et: true, fi: true, fil: true, fr: true, 'fr-CA': true, hr: true, hu: true, id: true, it: true, ja: true,
	ko: true, lt: true, lv: true, ms: true, mt: true, nb: true, nl: true, pl: true, pt: true, 'pt-BR': true,
	ro: true, ru: true, sk: true, sl: true, sv: true, th: true, tr: true, vi: true, zh: true, 'zh-HK': true,
	'zh-TW': true,
};
const stripeFlowTypes: Record<Known<Stripe.BillingPortal.SessionCreateParams.FlowData.Type>, true> = {
	customer_update: true,
	payment_method_update: true,
	subscription_cancel: true,
	subscription_pause: true,
	subscription_update: true,
	subscription_update_confirm: true,
};

const node = new StripeBillingPortal();
const { description } = node;

function walk(properties: INodeProperties[], visit: (property: INodeProperties, path: string) => void, path = '') {
	for (const property of properties) {
		visit(property, path + property.name);
		for (const option of property.options ?? []) {
			if ('values' in option) walk(option.values, visit, `${path}${property.name}.${option.name}.`);
			else if ('displayName' in option) walk([option as INodeProperties], visit, `${path}${property.name}.`);
		}
	}
}

describe('the pinned Stripe facts', () => {
	it('uses the API version of the stripe package the types come from', () => {
		expect(STRIPE_API_VERSION).toBe(Stripe.API_VERSION);
	});
	it('offers exactly Stripe’s portal locales (47, auto included)', () => {
		expect(PORTAL_LOCALES.map((locale) => locale.value).sort()).toEqual(Object.keys(stripeLocales).sort());
		expect(PORTAL_LOCALES).toHaveLength(47);
	});
	it('offers exactly Stripe’s six flow types', () => {
		expect(Object.keys(FLOW_TYPES).sort()).toEqual(Object.keys(stripeFlowTypes).sort());
	});
});

describe('node description', () => {
	it('is declarative, usable as a tool, with light and dark icons', () => {
		expect((node as { execute?: unknown }).execute).toBeUndefined();
		expect(description.usableAsTool).toBe(true);
		expect(description.icon).toEqual({
			light: 'file:stripeBillingPortal.svg',
			dark: 'file:stripeBillingPortal.dark.svg',
		});
		expect(description.credentials).toEqual([{ name: 'stripeBillingPortalApi', required: true }]);
	});

	it('sends every operation through the Stripe transport and error check', () => {
		expect(description.requestOperations?.pagination).toBe(sendStripeRequest);
		const operations = description.properties.filter((property) => property.name === 'operation');
		expect(operations.length).toBeGreaterThan(0);
		for (const operation of operations) {
			for (const option of operation.options as INodePropertyOptions[]) {
				expect(option.action).toMatch(/^[A-Z][a-z]/);
				expect(option.routing?.send?.paginate).toBe(true);
				expect(isStripeErrorCheck(option.routing?.output?.postReceive?.[0])).toBe(true);
				expect(option.routing?.request?.url).toMatch(/^\/v1\//);
			}
		}
	});

	it('sends no field on its own: bodies are built by hooks that skip empty values', () => {
		walk(description.properties, (property, path) => {
			if (property.name === 'operation') return;
			expect({ path, send: property.routing?.send?.property }).toEqual({ path, send: undefined });
		});
	});

	it('only shows fields on conditions over parameters that exist', () => {
		// '@tool' is n8n's pseudo-parameter for the AI-tool variant (n8n-workflow's getPropertyValues), no field of ours.
		const topLevel = new Set([...description.properties.map((property) => property.name), '@tool']);
		for (const property of description.properties) {
			for (const condition of [property.displayOptions?.show, property.displayOptions?.hide]) {
				for (const name of Object.keys(condition ?? {})) {
					expect({ field: property.name, dependsOn: name, exists: topLevel.has(name) }).toEqual({
						field: property.name,
						dependsOn: name,
						exists: true,
					});
				}
			}
		}
	});

	it('describes booleans with "Whether" and gives every field a description or a placeholder', () => {
		walk(description.properties, (property, path) => {
			if (property.type === 'boolean') expect({ path, description: property.description }).toEqual({
				path,
				description: expect.stringMatching(/^Whether /),
			});
			if (['string', 'options', 'resourceLocator', 'number', 'dateTime'].includes(property.type) && !['resource', 'operation'].includes(property.name)) {
				expect({ path, documented: Boolean(property.description || property.placeholder) }).toEqual({ path, documented: true });
			}
		});
	});

	it('defaults resource locators to From List, and gives n8n no pattern to check before each execution', () => {
		// n8n runs a mode's `validation` pattern before every execution in a sandbox with a 250 ms
		// wall-clock limit, which fails executions on a busy worker; the node checks the values itself.
		walk(description.properties, (property) => {
			if (property.type !== 'resourceLocator') return;
			expect((property.default as { mode: string }).mode).toBe('list');
			for (const mode of property.modes ?? []) expect({ mode: mode.name, validation: mode.validation }).toEqual({ mode: mode.name, validation: undefined });
		});
	});
});

describe('credential type', () => {
	const credential = new StripeBillingPortalApi();
	it('hides the secret key and defaults to the tested API version and Stripe’s host', () => {
		const byName = Object.fromEntries(credential.properties.map((property) => [property.name, property]));
		expect(byName.secretKey.typeOptions?.password).toBe(true);
		expect(byName.apiVersion.default).toBe(STRIPE_API_VERSION);
		expect(byName.baseUrl.default).toBe('https://api.stripe.com');
	});
	it('tests with an endpoint a portal-only restricted key may call', () => {
		expect(credential.test.request.url).toBe('/v1/billing_portal/configurations');
		expect(credential.test.request.qs).toEqual({ limit: 1 });
	});
});
