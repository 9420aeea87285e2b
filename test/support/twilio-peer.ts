/**
 * A local HTTP server that speaks Twilio's REST API to the real `twilio` SDK:
 * form-encoded `POST /2010-04-01/Accounts/{sid}/Messages.json` and `Calls.json`
 * with Basic auth, list look-ups, Twilio-shaped JSON and error bodies. It can
 * be told how to answer the next request (an error, a 500, a delay past the
 * client's timeout) and signs callbacks with Twilio's algorithm.
 */
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';

export const ACCOUNT_SID = 'AC' + 'a'.repeat(32);
export const AUTH_TOKEN = 'peer-auth-token-0123456789abcdef';

export interface PeerRequest {
  method: string;
  path: string;
  form: Record<string, string>;
  query: URLSearchParams;
}

export interface ScriptedAnswer {
  status: number;
  body?: unknown;
  /** Answer after this many ms (the resource is still created, as when Twilio is slow but succeeds). */
  delayMs?: number;
}

interface Stored { sid: string; to: string; from: string; body?: string; status: string; date_created: string }

export interface TwilioPeer {
  apiUrl: string;
  requests: PeerRequest[];
  created: Stored[];
  /** Answers the next POST with this instead of a success. */
  answerNext(a: ScriptedAnswer): void;
  /** Posts `params` to the app at `path` signed as Twilio signs (`getExpectedTwilioSignature` over publicUrl + path). */
  callback(app: FastifyInstance, publicUrl: string, path: string, params: Record<string, string>, signature?: string | null): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

function readForm(req: http.IncomingMessage): Promise<Record<string, string>> {
  return new Promise((resolve) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => resolve(Object.fromEntries(new URLSearchParams(raw))));
  });
}

export async function startTwilioPeer(): Promise<TwilioPeer> {
  const requests: PeerRequest[] = [];
  const created: Stored[] = [];
  const script: ScriptedAnswer[] = [];
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://peer');
    const form = await readForm(req);
    requests.push({ method: req.method ?? '', path: url.pathname, form, query: url.searchParams });
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const expected = 'Basic ' + Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64');
    if (req.headers.authorization !== expected) return send(401, { code: 20003, message: 'Authenticate', more_info: 'https://www.twilio.com/docs/errors/20003', status: 401 });
    const m = /^\/2010-04-01\/Accounts\/(AC\w+)\/(Messages|Calls)\.json$/.exec(url.pathname);
    if (!m) return send(404, { code: 20404, message: 'The requested resource was not found', status: 404 });
    const kind = m[2] === 'Messages' ? 'messages' : 'calls';
    if (req.method === 'GET') {
      const to = url.searchParams.get('To');
      const from = url.searchParams.get('From');
      const list = created.filter((c) => c.sid.startsWith(kind === 'messages' ? 'SM' : 'CA') && (!to || c.to === to) && (!from || c.from === from));
      return send(200, { [kind]: list.map((c) => ({ ...c, account_sid: ACCOUNT_SID })), page: 0, page_size: 50, first_page_uri: url.pathname, next_page_uri: null, previous_page_uri: null, uri: url.pathname });
    }
    const answer = script.shift();
    const record: Stored = {
      sid: (kind === 'messages' ? 'SM' : 'CA') + randomBytes(16).toString('hex'),
      to: form.To, from: form.From, ...(kind === 'messages' ? { body: form.Body } : {}), status: 'queued', date_created: new Date().toUTCString(),
    };
    if (answer && answer.status >= 400) return send(answer.status, answer.body ?? { status: answer.status, message: 'Error' });
    created.push(record);
    const reply = () => send(201, { ...record, account_sid: ACCOUNT_SID, api_version: '2010-04-01', direction: kind === 'messages' ? 'outbound-api' : 'outbound-api', uri: `${url.pathname.replace('.json', '')}/${record.sid}.json` });
    if (answer?.delayMs) setTimeout(reply, answer.delayMs);
    else reply();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    apiUrl,
    requests,
    created,
    answerNext: (a) => void script.push(a),
    callback(app, publicUrl, path, params, signature) {
      const sig = signature === undefined ? twilio.getExpectedTwilioSignature(AUTH_TOKEN, publicUrl + path, params) : signature;
      return app.inject({
        method: 'POST',
        url: path,
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...(sig === null ? {} : { 'x-twilio-signature': sig }) },
        payload: new URLSearchParams(params).toString(),
      });
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
