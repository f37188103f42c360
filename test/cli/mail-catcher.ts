/**
 * A minimal SMTP server on 127.0.0.1 that keeps what it receives, so the onboarding example's
 * Send Email node really delivers its message when run by the n8n CLI (no TLS, no auth: the demo's
 * SMTP credential sets SSL/TLS off and STARTTLS disabled). Enough of RFC 5321 for nodemailer,
 * which n8n's Send Email node uses: EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface CaughtMail {
	from: string;
	to: string[];
	headers: Record<string, string>;
	subject: string;
	/** The body, decoded from quoted-printable or base64 when the message says so. */
	text: string;
	raw: string;
}

export class MailCatcher {
	readonly messages: CaughtMail[] = [];
	private server?: Server;
	private readonly sockets = new Set<Socket>();

	async start(): Promise<number> {
		const server = createServer((socket) => this.session(socket));
		this.server = server;
		await new Promise<void>((resolveListen, reject) => {
			server.once('error', reject);
			server.listen(0, '127.0.0.1', () => resolveListen());
		});
		return (server.address() as AddressInfo).port;
	}

	async stop(): Promise<void> {
		for (const socket of this.sockets) socket.destroy();
		await new Promise<void>((done) => (this.server ? this.server.close(() => done()) : done()));
	}

	private session(socket: Socket): void {
		this.sockets.add(socket);
		socket.on('close', () => this.sockets.delete(socket));
		socket.on('error', () => socket.destroy());
		socket.setEncoding('utf8');
		let buffer = '';
		let inData = false;
		let envelope: { from: string; to: string[] } = { from: '', to: [] };
		const reply = (line: string) => socket.write(`${line}\r\n`);
		reply('220 127.0.0.1 demo mail catcher');
		socket.on('data', (chunk: string) => {
			buffer += chunk;
			for (;;) {
				if (inData) {
					const end = buffer.indexOf('\r\n.\r\n');
					if (end < 0) return;
					const raw = buffer.slice(0, end).replace(/\r\n\.\./g, '\r\n.');
					buffer = buffer.slice(end + 5);
					inData = false;
					this.messages.push(parseMessage(envelope, raw));
					envelope = { from: '', to: [] };
					reply('250 2.0.0 queued');
					continue;
				}
				const lineEnd = buffer.indexOf('\r\n');
				if (lineEnd < 0) return;
				const line = buffer.slice(0, lineEnd);
				buffer = buffer.slice(lineEnd + 2);
				const verb = line.slice(0, 4).toUpperCase();
				if (verb === 'EHLO') {
					reply('250-127.0.0.1');
					reply('250 8BITMIME');
				} else if (verb === 'HELO') reply('250 127.0.0.1');
				else if (verb === 'MAIL') {
					envelope = { from: addressIn(line), to: [] };
					reply('250 2.1.0 ok');
				} else if (verb === 'RCPT') {
					envelope.to.push(addressIn(line));
					reply('250 2.1.5 ok');
				} else if (verb === 'DATA') {
					inData = true;
					reply('354 end data with <CR><LF>.<CR><LF>');
				} else if (verb === 'RSET') {
					envelope = { from: '', to: [] };
					reply('250 2.0.0 ok');
				} else if (verb === 'NOOP') reply('250 2.0.0 ok');
				else if (verb === 'QUIT') {
					reply('221 2.0.0 bye');
					socket.end();
					return;
				} else reply('502 5.5.1 command not implemented');
			}
		});
	}
}

function addressIn(line: string): string {
	return /<([^>]*)>/.exec(line)?.[1] ?? line.slice(line.indexOf(':') + 1).trim();
}

function parseMessage(envelope: { from: string; to: string[] }, raw: string): CaughtMail {
	const split = raw.indexOf('\r\n\r\n');
	const head = split < 0 ? raw : raw.slice(0, split);
	const body = split < 0 ? '' : raw.slice(split + 4);
	const headers: Record<string, string> = {};
	// Folded header lines continue with whitespace.
	for (const line of head.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
		const colon = line.indexOf(':');
		if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
	}
	const encoding = (headers['content-transfer-encoding'] ?? '').toLowerCase();
	let text = body;
	if (encoding === 'quoted-printable') {
		const bytes = Buffer.from(
			body.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/gi, (_match, hex: string) => String.fromCharCode(parseInt(hex, 16))),
			'latin1',
		);
		text = bytes.toString('utf8');
	} else if (encoding === 'base64') text = Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
	return { ...envelope, headers, subject: decodeHeader(headers.subject ?? ''), text: text.replace(/\r\n/g, '\n'), raw };
}

/** RFC 2047 encoded words (nodemailer encodes non-ASCII subjects). */
function decodeHeader(value: string): string {
	return value.replace(/=\?utf-8\?([BQ])\?([^?]*)\?=/gi, (_match, kind: string, data: string) =>
		kind.toUpperCase() === 'B'
			? Buffer.from(data, 'base64').toString('utf8')
			: Buffer.from(
					data.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))),
					'latin1',
				).toString('utf8'),
	);
}
