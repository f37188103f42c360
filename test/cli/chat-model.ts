/**
 * A scripted stand-in for OpenAI's Chat Completions endpoint on 127.0.0.1, so the AI agent
 * example runs in the real n8n (its real AI Agent, OpenAI Chat Model and tool wrapper) without an
 * OpenAI account. It plays a careful billing assistant:
 *
 * 1. The customer's message carries an email address: it calls the portal tool once, with
 *    `customer_email` from the message and, if the tool asks for it, `flow_type` read from the
 *    words (cancel, card, …).
 * 2. With the tool's answer: it replies with the portal link (a login or session link found in
 *    the tool result), or with the tool's `response` text (a workflow tool's fixed reply), or
 *    else with what the tool returned.
 *
 * Every request body is kept, so a test can see what n8n told the model (tools, schema, system
 * message). Answers are plain JSON or, when the request asks for `stream`, server-sent events.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

interface ChatMessage {
	role: string;
	content?: string | Array<{ type: string; text?: string }> | null;
	tool_calls?: unknown[];
}

interface ChatTool {
	type: 'function';
	function: { name: string; description?: string; parameters?: { properties?: Record<string, { type?: string; enum?: string[] }> } };
}

export interface ChatRequest {
	model: string;
	messages: ChatMessage[];
	tools?: ChatTool[];
	stream?: boolean;
}

const FLOW_WORDS: Array<[RegExp, string]> = [
	[/cancel/i, 'subscription_cancel'],
	[/card|payment method/i, 'payment_method_update'],
	[/address|billing details|tax id/i, 'customer_update'],
];

function text(content: ChatMessage['content']): string {
	if (typeof content === 'string') return content;
	return (content ?? []).map((part) => part.text ?? '').join('');
}

export class ScriptedChatModel {
	readonly requests: ChatRequest[] = [];
	private server?: Server;
	private calls = 0;

	async start(): Promise<string> {
		const server = createServer((request, response) => void this.handle(request, response));
		this.server = server;
		await new Promise<void>((listening) => server.listen(0, '127.0.0.1', () => listening()));
		return `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
	}

	async stop(): Promise<void> {
		await new Promise<void>((done) => (this.server ? this.server.close(() => done()) : done()));
	}

	private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
		let raw = '';
		for await (const chunk of request) raw += chunk;
		if (request.method !== 'POST' || !/\/chat\/completions$/.test(request.url ?? '')) {
			response.writeHead(404, { 'content-type': 'application/json' });
			response.end(JSON.stringify({ error: { message: `The scripted model answers only POST /v1/chat/completions, not ${request.method} ${request.url}`, type: 'invalid_request_error' } }));
			return;
		}
		const body = JSON.parse(raw) as ChatRequest;
		this.requests.push(body);
		const message = this.answer(body);
		const id = `chatcmpl-scripted${++this.calls}`;
		const finish = message.tool_calls ? 'tool_calls' : 'stop';
		const usage = { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 };
		if (body.stream) {
			response.writeHead(200, { 'content-type': 'text/event-stream' });
			const chunk = (delta: object, finishReason: string | null) =>
				`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model: body.model, choices: [{ index: 0, delta, finish_reason: finishReason }] })}\n\n`;
			const delta = message.tool_calls
				? { role: 'assistant', tool_calls: (message.tool_calls as object[]).map((call, index) => ({ index, ...call })) }
				: { role: 'assistant', content: message.content };
			response.end(`${chunk(delta, null)}${chunk({}, finish)}data: [DONE]\n\n`);
			return;
		}
		response.writeHead(200, { 'content-type': 'application/json' });
		response.end(
			JSON.stringify({ id, object: 'chat.completion', created: Math.floor(Date.now() / 1000), model: body.model, choices: [{ index: 0, message, finish_reason: finish }], usage }),
		);
	}

	private answer(body: ChatRequest): { role: 'assistant'; content: string | null; tool_calls?: unknown[] } {
		const customer = text([...body.messages].reverse().find((message) => message.role === 'user')?.content);
		const toolResult = [...body.messages].reverse().find((message) => message.role === 'tool');
		if (toolResult) {
			const result = text(toolResult.content);
			// A login link carries the address filled in (?prefilled_email=…); a session link is a bare path.
			const link = /https:\/\/billing\.stripe\.com\/p\/(?:session|login)\/[\w?=%.+-]+/.exec(result)?.[0];
			// A workflow tool answers with its last node's items; the e-mail example's is { response }.
			const response = /"response"\s*:\s*"((?:[^"\\]|\\.)*)"/.exec(result)?.[1];
			const content = link
				? `Here is your billing portal link: ${link}`
				: response !== undefined
					? (JSON.parse(`"${response}"`) as string)
					: `I could not get a portal link: ${result}`;
			return { role: 'assistant', content };
		}
		const email = /[\w.+-]+@[\w-]+(\.[\w-]+)+/.exec(customer)?.[0];
		const tool = body.tools?.find((candidate) => /portal/i.test(candidate.function.name));
		if (!email || !tool) return { role: 'assistant', content: 'Which email address does your account use?' };
		const flowType = FLOW_WORDS.find(([words]) => words.test(customer))?.[1] ?? 'none';
		const args: Record<string, string> = {};
		for (const name of Object.keys(tool.function.parameters?.properties ?? {})) {
			// A sub-workflow tool (LangChain's DynamicTool) takes one string, `input`.
			if (/email|^input$|^query$/i.test(name)) args[name] = email;
			else if (/flow/i.test(name)) args[name] = flowType;
		}
		return {
			role: 'assistant',
			content: null,
			tool_calls: [{ id: `call_scripted${this.calls + 1}`, type: 'function', function: { name: tool.function.name, arguments: JSON.stringify(args) } }],
		};
	}
}
