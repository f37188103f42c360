/**
 * A local HTTP server standing in for a webhook endpoint: records every delivery (raw bytes,
 * headers) and answers with the statuses queued, 200 otherwise.
 */
import * as http from 'http';
import type { AddressInfo } from 'net';

export interface Delivery {
	path: string;
	headers: http.IncomingHttpHeaders;
	rawBody: Buffer;
	receivedAt: number;
}

export class WebhookReceiver {
	readonly deliveries: Delivery[] = [];
	/** Statuses to answer with, one per delivery, before falling back to 200. */
	readonly statuses: number[] = [];
	private server?: http.Server;

	async start(): Promise<string> {
		const server = http.createServer((req, res) => {
			const chunks: Buffer[] = [];
			req.on('data', (c: Buffer) => chunks.push(c));
			req.on('end', () => {
				this.deliveries.push({ path: req.url ?? '/', headers: req.headers, rawBody: Buffer.concat(chunks), receivedAt: Date.now() });
				res.statusCode = this.statuses.shift() ?? 200;
				res.end('{"received":true}');
			});
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		this.server = server;
		return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	}

	async stop(): Promise<void> {
		const server = this.server;
		this.server = undefined;
		if (!server) return;
		await new Promise<void>((resolve) => {
			server.close(() => resolve());
			server.closeAllConnections();
		});
	}

	/** Parsed events of the deliveries to one path, in arrival order. */
	events(path?: string): Array<{ id: string; type: string; [k: string]: any }> {
		return this.deliveries.filter((d) => path === undefined || d.path === path).map((d) => JSON.parse(d.rawBody.toString('utf8')));
	}
}
