import type { RecordedRequest } from '../sandbox';

/** The demos' "Stripe received" block: each request as method, path, query, and the form body. */
export function printStripeRequests(requests: RecordedRequest[]): void {
	console.log('  Stripe received:');
	for (const request of requests) {
		const query = Object.keys(request.query).length > 0 ? ` ${JSON.stringify(request.query)}` : '';
		console.log(`    ${request.method} ${request.path}${query}${request.rawBody ? `\n      ${request.rawBody}` : ''}`);
	}
}
