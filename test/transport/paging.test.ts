/**
 * Stripe's cursor paging as the pagination hook runs it, against a stubbed makeRoutingRequest:
 * which cursor and page size each request carries, when paging stops, and what comes out.
 */
import type { DeclarativeRestApiSettings, IDataObject, INodeExecutionData } from 'n8n-workflow';

import { sendStripeRequest } from '../../nodes/StripeBillingPortal/transport';
import { routingRequest, stubContext, type StubOptions } from '../support/stub-context';

function page(ids: string[], hasMore: boolean): INodeExecutionData[] {
	return [{ json: { object: 'list', data: ids.map((id) => ({ id })), has_more: hasMore } }];
}

function ids(from: number, count: number): string[] {
	return Array.from({ length: count }, (_, index) => `bpc_${from + index}`);
}

// Paging is measured here, not pacing: a rate no test can reach.
const fast = { requestSettings: { maxRequestsPerSecond: 1_000_000, retries: 0 } };

async function list(parameters: IDataObject, pages: INodeExecutionData[][], qs: IDataObject = { limit: 100 }, options: StubOptions = {}) {
	const context = stubContext({ ...options, parameters: { ...fast, ...parameters }, route: async (_request, call) => pages[call - 1] });
	const output = await sendStripeRequest.call(context, routingRequest('GET', '/v1/billing_portal/configurations', qs));
	const cursors = context.routed.map((request: DeclarativeRestApiSettings.ResultOptions) => request.options.qs);
	return { output, cursors };
}

describe('cursor paging', () => {
	it('Return All follows has_more with starting_after the last ID, 100 at a time', async () => {
		const { output, cursors } = await list({ returnAll: true }, [page(ids(1, 100), true), page(ids(101, 100), true), page(ids(201, 3), false)]);
		expect(cursors).toEqual([
			{ limit: 100 },
			{ limit: 100, starting_after: 'bpc_100' },
			{ limit: 100, starting_after: 'bpc_200' },
		]);
		expect(output).toHaveLength(203);
		expect(output[202]).toEqual({ json: { id: 'bpc_203' }, pairedItem: { item: 0 } });
	});

	it('asks only for what Limit still misses', async () => {
		const { output, cursors } = await list({ limit: 150 }, [page(ids(1, 100), true), page(ids(101, 50), true)]);
		expect(cursors).toEqual([{ limit: 100 }, { limit: 50, starting_after: 'bpc_100' }]);
		expect(output).toHaveLength(150);
	});

	it('stops at the first page when it already holds what Limit asks for', async () => {
		const { output, cursors } = await list({ limit: 20 }, [page(ids(1, 20), true)], { limit: 20 });
		expect(cursors).toHaveLength(1);
		expect(output).toHaveLength(20);
	});

	it('runs backwards from ending_before, taking each page’s first ID and keeping the order without jumps', async () => {
		const { output, cursors } = await list(
			{ returnAll: true },
			[page(['bpc_4', 'bpc_3'], true), page(['bpc_2', 'bpc_1'], false)],
			{ limit: 2, ending_before: 'bpc_5' },
		);
		expect(cursors).toEqual([
			{ limit: 2, ending_before: 'bpc_5' },
			{ limit: 100, ending_before: 'bpc_4' },
		]);
		expect(output.map((item) => item.json.id)).toEqual(['bpc_3', 'bpc_4', 'bpc_1', 'bpc_2']);
	});

	it('pairs every entry with the item that asked', async () => {
		const { output } = await list({ returnAll: true }, [page(ids(1, 2), false)], { limit: 100 }, { itemIndex: 4 });
		expect(output.map((item) => item.pairedItem)).toEqual([{ item: 4 }, { item: 4 }]);
	});

	it('hands back an answer that is not a list as it came', async () => {
		const single = [{ json: { id: 'bpc_1', object: 'billing_portal.configuration' } }];
		const context = stubContext({ parameters: fast, route: async () => single });
		expect(await sendStripeRequest.call(context, routingRequest('GET', '/v1/billing_portal/configurations/bpc_1'))).toBe(single);
	});
});

describe('what every request carries', () => {
	it('a POST gets one idempotency key naming the execution and item, and the Connect header', async () => {
		const context = stubContext({
			parameters: { requestSettings: { ...fast.requestSettings, connectedAccount: 'acct_1Connected00000' } },
			itemIndex: 3,
			executionId: '77',
			route: async () => [{ json: { id: 'bps_1' } }],
		});
		await sendStripeRequest.call(context, routingRequest('POST', '/v1/billing_portal/sessions'));
		const headers = context.routed[0].options.headers as IDataObject;
		expect(headers['Idempotency-Key']).toMatch(/^n8n-77-item3-[A-Za-z0-9]{20}$/);
		expect(headers['Stripe-Account']).toBe('acct_1Connected00000');
	});

	it('a GET carries no idempotency key', async () => {
		const context = stubContext({ parameters: fast, route: async () => [{ json: { id: 'bpc_1' } }] });
		await sendStripeRequest.call(context, routingRequest('GET', '/v1/billing_portal/configurations/bpc_1'));
		expect(context.routed[0].options.headers).not.toHaveProperty('Idempotency-Key');
	});
});
