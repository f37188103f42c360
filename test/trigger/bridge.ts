/**
 * Stands in for n8n's webhook server in engine tests: an HTTP server that hands each request, with
 * its raw bytes, to the trigger's webhook() (through n8n-core's WebhookContext) and answers as n8n
 * would: the trigger's own answer when it gave one, else 200. The real server is in the e2e tests.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import type { TriggerUnderTest } from '../harness';

export class WebhookBridge {
	/** What each accepted delivery hands to n8n: one list of items per execution. */
	readonly executions: INodeExecutionData[][] = [];

	trigger?: TriggerUnderTest;

	private server?: Server;

	async start(): Promise<string> {
		const server = createServer((request, response) => {
			const chunks: Buffer[] = [];
			request.on('data', (chunk: Buffer) => chunks.push(chunk));
			request.on('end', () => {
				const trigger = this.trigger;
				if (!trigger) {
					response.statusCode = 404;
					response.end();
					return;
				}
				void trigger.deliver({ headers: request.headers as Record<string, string>, rawBody: Buffer.concat(chunks) }).then(({ answered, result }) => {
					if (result.workflowData) this.executions.push(result.workflowData[0]);
					response.statusCode = answered?.status ?? 200;
					response.end(JSON.stringify(answered?.body ?? { received: true }));
				});
			});
		});
		await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
		this.server = server;
		return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	}

	itemsOf(execution: number): IDataObject[] {
		return (this.executions[execution] ?? []).map((item) => item.json);
	}

	async stop(): Promise<void> {
		const server = this.server;
		this.server = undefined;
		if (!server) return;
		await new Promise<void>((resolveClose) => {
			server.close(() => resolveClose());
			// Stripe's deliveries keep their connections alive; they must not hold the test process open.
			server.closeAllConnections();
		});
	}
}
