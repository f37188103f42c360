/**
 * The pure parts of error handling: reading Stripe's error responses and choosing a hint.
 */
import { configurationErrorVocabulary } from '../../nodes/StripeBillingPortal/resources/portalConfiguration/fieldNames';
import { sessionErrorVocabulary } from '../../nodes/StripeBillingPortal/resources/portalSession/fieldNames';
import { findConnectionErrorCode } from '../../nodes/StripeBillingPortal/transport/connection';
import { errorDetailsFromResponse } from '../../nodes/StripeBillingPortal/transport/answers';
import { hintFor } from '../../nodes/StripeBillingPortal/transport/errors';

/** The node's name for a parameter, in the words of the resource that sent it. */
function fieldForParam(param: string, form?: { resource: string; jsonInput?: boolean }): string | undefined {
	if (form?.resource === 'portalConfiguration') return configurationErrorVocabulary(form.jsonInput === true).fieldFor(param);
	return sessionErrorVocabulary.fieldFor(param);
}

describe('errorDetailsFromResponse', () => {
	it('reads Stripe’s error object and the headers retries will need, whatever their case', () => {
		const details = errorDetailsFromResponse({
			statusCode: 429,
			statusMessage: 'Too Many Requests',
			headers: { 'Request-Id': 'req_123', 'retry-after': '2', 'Stripe-Should-Retry': 'true' },
			body: { error: { type: 'invalid_request_error', code: 'rate_limit', message: 'Too many requests' } },
		});
		expect(details).toEqual({
			httpStatus: 429,
			requestId: 'req_123',
			stripe: { type: 'invalid_request_error', code: 'rate_limit', message: 'Too many requests' },
			unexpectedBody: undefined,
			retryAfterSeconds: 2,
			shouldRetryHeader: true,
		});
	});

	it('keeps the start of a body that is not a Stripe error, with whitespace folded', () => {
		const details = errorDetailsFromResponse({
			statusCode: 502,
			statusMessage: 'Bad Gateway',
			headers: {},
			body: `<html>\n  <body>${'x'.repeat(300)}</body></html>`,
		});
		expect(details.stripe).toBeUndefined();
		expect(details.unexpectedBody?.startsWith('<html> <body>xxx')).toBe(true);
		expect(details.unexpectedBody?.length).toBe(201);
	});
});

describe('hintFor', () => {
	it.each([
		[400, { message: 'No configuration provided and your live mode default configuration has not been created. …' }, /https:\/\/dashboard\.stripe\.com\/settings\/billing\/portal/],
		[400, { message: 'No configuration provided and your test mode default configuration has not been created. …' }, /https:\/\/dashboard\.stripe\.com\/test\/settings\/billing\/portal/],
		[401, { message: 'Invalid API Key provided: sk_test_****1234' }, /Secret Key/],
		[403, { message: 'The provided key … does not have the required permissions' }, /Customer portal: Write/],
		[404, { code: 'resource_missing', param: 'configuration', message: "No such configuration: 'bpc_1'" }, /in Additional Fields → Configuration:/],
		[404, { code: 'resource_missing', param: 'flow_data[subscription_pause][subscription]', message: "No such subscription: 'sub_1'" }, /in Subscription:/],
		[400, { param: 'flow_data[subscription_update_confirm][items][0][price]', message: 'The price is not allowed' }, /^Check the node's Item Changes → New Price field\.$/],
		[400, { param: 'flow_data[after_completion][redirect][return_url]', message: 'Not a valid URL' }, /Redirect URL/],
		[429, { message: 'Too many requests' }, /25 in test mode, 25 per endpoint/],
		[503, undefined, /Stripe’s side/],
	])('HTTP %i gets a hint', (status, stripe, hint) => {
		expect(hintFor(status, stripe, sessionErrorVocabulary)).toMatch(hint);
	});

	it.each([
		['This subscription cannot be updated because the subscription update feature in the portal configuration is disabled.', /changing plans is not available for self-service/],
		['Cannot update the subscription because there are no changes to confirm.', /already has the price and quantity asked for/],
		['The subscription sub_1 is already set to be canceled at period end.', /already cancelled and ends at the close of its current billing period/],
		['No configuration provided and your test mode default configuration has not been created. …', /self-service billing is unavailable for now/],
	])('tells an AI agent what to tell the user of: %s', (message, words) => {
		const agentHint = sessionErrorVocabulary.agentHintFor?.(400, { type: 'invalid_request_error', message });
		expect(agentHint).toMatch(words);
		expect(agentHint).toMatch(/Calling again .*will not help/);
	});

	it('adds nothing where Stripe names no parameter and the status says it all', () => {
		expect(hintFor(400, { code: 'parameter_invalid_integer', message: 'Invalid integer: abc' }, sessionErrorVocabulary)).toBeUndefined();
		expect(hintFor(400, { param: 'some_future_param', message: 'Invalid some_future_param' }, sessionErrorVocabulary)).toBeUndefined();
	});
});

describe('findConnectionErrorCode', () => {
	it('finds the system error code wherever it is nested, or in the message', () => {
		expect(findConnectionErrorCode({ cause: { cause: { code: 'ECONNREFUSED' } } })).toBe('ECONNREFUSED');
		expect(findConnectionErrorCode(new Error('getaddrinfo ENOTFOUND api.stripe.test'))).toBe('ENOTFOUND');
		expect(findConnectionErrorCode({ code: 'rate_limit' })).toBeUndefined();
	});
});

describe('fieldForParam for portal configurations', () => {
	const form = { resource: 'portalConfiguration' };
	it.each([
		['features[subscription_update][products][1][prices]', 'Features → Subscription Update → Products (entry 2) → Prices'],
		['features[subscription_update][products][0][adjustable_quantity][maximum]', 'Features → Subscription Update → Products (entry 1) → Adjustable Quantity → Maximum Quantity'],
		['features[subscription_pause][duration][type]', 'Features → Subscription Pause → Duration'],
		['features[subscription_pause][duration][interval_options][2][interval_count]', 'Features → Subscription Pause → Duration → Pause Lengths (entry 3) → Count'],
		['features[subscription_cancel][cancellation_reason][options]', 'Features → Subscription Cancel → Ask for a Reason → Reasons Offered'],
		['business_profile[headline]', 'Business Headline'],
		['metadata[team]', 'Metadata'],
		['id', 'Configuration'],
	])('%s → %s', (param, field) => {
		expect(fieldForParam(param, form)).toBe(field);
	});

	it('points at the key inside the JSON input when the body came from JSON', () => {
		expect(fieldForParam('features[invoice_history][enabled]', { ...form, jsonInput: true })).toBe(
			"'features[invoice_history][enabled]' in Configuration (JSON)",
		);
	});

	it('keeps each resource’s names: a param both resources send reads in the words of the one that sent it', () => {
		expect(fieldForParam('configuration')).toBe('Additional Fields → Configuration');
		expect(fieldForParam('configuration', form)).toBe('Configuration');
		expect(fieldForParam('return_url')).toBe('Return URL');
		expect(fieldForParam('default_return_url', form)).toBe('Default Return URL');
		// Names of one resource are not lent to the other.
		expect(fieldForParam('name', form)).toBe('Name');
		expect(fieldForParam('name')).toBeUndefined();
		expect(fieldForParam('default_return_url')).toBeUndefined();
	});
});
