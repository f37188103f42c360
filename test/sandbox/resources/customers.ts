/** /v1/customers: list, search, retrieve, delete. */
import type Stripe from 'stripe';

import { errors } from '../errors';
import { listParams, listPage, resolveExpand, type ListParams } from '../list';
import { expandSchema, req, s } from '../params';
import type { RequestContext, RouteDef } from '../router';
import { compileQuery, decodePage, encodePage, type SearchSpec } from '../search';
import type { Customer } from '../store';

const CUSTOMER = { resource: 'customer', access: 'read' } as const;
const CUSTOMER_WRITE = { resource: 'customer', access: 'write' } as const;

/** Paths `expand[]` accepts on a customer (the nullable references stay null here). */
const EXPANDABLE = [
	'cash_balance',
	'default_source',
	'discount',
	'invoice_credit_balance',
	'invoice_settings.default_payment_method',
	'sources',
	'subscriptions',
	'tax',
	'tax_ids',
	'test_clock',
];

const SEARCH_SPEC: SearchSpec<Customer> = {
	resource: 'customers',
	fields: {
		created: { kind: 'numeric', get: (c) => c.created },
		email: { kind: 'string', get: (c) => c.email, substring: true },
		name: { kind: 'string', get: (c) => c.name, substring: true },
		phone: { kind: 'string', get: (c) => c.phone, substring: true },
	},
	metadata: (c) => c.metadata,
};

function emptySubList(url: string): Stripe.ApiList<never> & { total_count: number } {
	return { object: 'list', data: [], has_more: false, total_count: 0, url };
}

/** The customer as the API returns it to this request (livemode of the key, expansions applied). */
export function renderCustomer(c: Customer, ctx: RequestContext, paths: ReadonlySet<string>): Customer {
	const out: Customer = { ...c, livemode: ctx.livemode };
	if (paths.has('sources')) out.sources = emptySubList(`/v1/customers/${c.id}/sources`);
	if (paths.has('subscriptions')) out.subscriptions = emptySubList(`/v1/customers/${c.id}/subscriptions`);
	if (paths.has('tax_ids')) out.tax_ids = emptySubList(`/v1/customers/${c.id}/tax_ids`);
	if (paths.has('tax'))
		out.tax = { automatic_tax: 'unrecognized_location', ip_address: null, location: null, provider: 'stripe' };
	if (paths.has('cash_balance')) out.cash_balance = null;
	if (paths.has('invoice_credit_balance')) out.invoice_credit_balance = {};
	return out;
}

interface CustomerListParams extends ListParams {
	created?: number | { gt?: number; gte?: number; lt?: number; lte?: number };
	email?: string;
	test_clock?: string;
}

function matchesCreated(created: number, filter: CustomerListParams['created']): boolean {
	if (filter === undefined) return true;
	if (typeof filter === 'number') return created === filter;
	return (
		(filter.gt === undefined || created > filter.gt) &&
		(filter.gte === undefined || created >= filter.gte) &&
		(filter.lt === undefined || created < filter.lt) &&
		(filter.lte === undefined || created <= filter.lte)
	);
}

export const customerRoutes: RouteDef[] = [
	{
		method: 'GET',
		path: '/v1/customers',
		permission: CUSTOMER,
		params: s.object({
			...listParams,
			created: s.scalarOrObject(
				s.integer(),
				s.object({ gt: s.integer(), gte: s.integer(), lt: s.integer(), lte: s.integer() }),
			),
			email: s.string({ maxLength: 512 }),
			test_clock: s.string(),
		}),
		handle(ctx) {
			const p = ctx.params as CustomerListParams;
			const { paths } = resolveExpand(p.expand, EXPANDABLE, 'list');
			const all = ctx.store
				.listCustomers()
				.filter(
					(c) =>
						(p.email === undefined || c.email === p.email) &&
						(p.test_clock === undefined ? !c.test_clock : c.test_clock === p.test_clock) &&
						matchesCreated(c.created, p.created),
				);
			return listPage(all, p, 'customer', '/v1/customers', (c) => renderCustomer(c, ctx, paths));
		},
	},
	{
		method: 'GET',
		path: '/v1/customers/search',
		permission: CUSTOMER,
		params: s.object({
			expand: expandSchema,
			limit: s.integer({ min: 1, max: 100 }),
			page: s.string(),
			query: req(s.string()),
		}),
		handle(ctx) {
			const p = ctx.params as { query: string; limit?: number; page?: string; expand?: string[] };
			const { paths, totalCount } = resolveExpand(p.expand, EXPANDABLE, 'search');
			const predicate = compileQuery(p.query, SEARCH_SPEC);
			const matches = ctx.store.listCustomers().filter(predicate);
			const limit = p.limit ?? 10;
			const offset = p.page === undefined ? 0 : decodePage(p.page, p.query);
			const data = matches.slice(offset, offset + limit);
			const hasMore = offset + limit < matches.length;
			return {
				object: 'search_result',
				data: data.map((c) => renderCustomer(c, ctx, paths)),
				has_more: hasMore,
				next_page: hasMore ? encodePage(p.query, offset + limit) : null,
				...(totalCount ? { total_count: matches.length } : {}),
				url: '/v1/customers/search',
			};
		},
	},
	{
		method: 'GET',
		path: '/v1/customers/:id',
		permission: CUSTOMER,
		params: s.object({ expand: expandSchema }),
		handle(ctx) {
			const { paths } = resolveExpand((ctx.params as ListParams).expand, EXPANDABLE, 'object');
			// Stripe still answers a deleted customer's ID, with the stub and 200.
			const deleted = ctx.store.getDeletedCustomer(ctx.pathParams.id);
			if (deleted) return { ...deleted };
			const customer = ctx.store.getCustomer(ctx.pathParams.id);
			if (!customer) throw errors.resourceMissing('customer', ctx.pathParams.id, 'id');
			return renderCustomer(customer, ctx, paths);
		},
	},
	{
		method: 'DELETE',
		path: '/v1/customers/:id',
		permission: CUSTOMER_WRITE,
		params: s.object({}),
		handle(ctx) {
			const deleted = ctx.store.deleteCustomer(ctx.pathParams.id);
			if (!deleted) throw errors.resourceMissing('customer', ctx.pathParams.id, 'id');
			return deleted;
		},
	},
];
