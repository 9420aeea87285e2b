/**
 * The interactive API reference at `/docs` (Scalar, through `@scalar/fastify-api-reference`, which also serves
 * Scalar's browser bundle at `/docs/js/scalar.js`). It loads everything from this server and sends the API
 * description nowhere: no web fonts from Scalar's hosts, no telemetry, and none of "Ask AI", "Generate MCP", the
 * developer toolbar ("Deploy") and "Open API Client" (a link handing the document's URL to client.scalar.com). The
 * in-page API client ("Test Request") stays: it calls this API from the browser.
 *
 * Its pages carry their own Content-Security-Policy, set in `onSend` so that it replaces a site-wide one (helmet's)
 * on these routes only. Scripts: this origin's files and the one inline boot script, which carries a fresh nonce
 * per response; no other inline script, no eval. Styles: Scalar's stylesheet takes the nonce (its bundle reads it
 * from `<meta property="csp-nonce">`); two `<style>` elements its bundle inserts without a nonce are allowed by
 * their hashes; `style="..."` attributes, which no nonce can cover, are allowed (`style-src-attr`).
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * SHA-256 of the `<style>` elements Scalar's bundle inserts without the nonce: its theme (`@layer scalar-theme`)
 * and its toasts' styles (`[data-sonner-toaster]`). A Scalar release that changes them shows as a CSP violation in
 * `e2e/docs.test.ts`, whose message names the new hash.
 */
const SCALAR_STYLE_HASHES = ['sha256-T13Uev3xCax2N28XaoAE8DOzQZKvPp7ZQVAi1iRREjo=', 'sha256-l/2OpPg0d+2VLTLgwjf5mQo2CYwHDEqdj5TjbfEyVJI='];

/**
 * Loaded before Scalar's bundle: the zod inside it probes for eval with `Function('')` unless `jitless` is set. The
 * probe is caught (zod then parses without generated code, as it must under this policy anyway), but the browser
 * still reports a violation of `script-src`.
 */
const NO_EVAL_JS = 'globalThis.__zod_globalConfig = Object.assign(globalThis.__zod_globalConfig ?? {}, { jitless: true });\n';

/** Per-response nonce (128 bits, base64), kept on the request between `onRequest` and `onSend`. */
const NONCE = Symbol('docs-csp-nonce');
type WithNonce = FastifyRequest & { [NONCE]?: string };

/**
 * The `/docs` pages' Content-Security-Policy.
 * @param nonce the response's nonce.
 * @param apiOrigin the origin of the OpenAPI document's server (`PUBLIC_URL`), which "Test Request" calls.
 */
export function docsContentSecurityPolicy(nonce: string, apiOrigin: string): string {
  return [
    "default-src 'none'",
    `script-src 'self' 'nonce-${nonce}'`,
    `style-src-elem 'self' 'nonce-${nonce}' ${SCALAR_STYLE_HASHES.map((h) => `'${h}'`).join(' ')}`,
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self' ${apiOrigin}`,
    "worker-src 'self' blob:",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}

/**
 * Registers `/docs` (HTML), `/docs/js/scalar.js` and `/docs/js/no-eval.js` in a context of its own.
 * @param opts.openApiUrl where the page fetches the OpenAPI document; `title` the page title; `publicUrl` the
 *   API's public base URL (for `connect-src`).
 */
export async function docsRoutes(app: FastifyInstance, opts: { openApiUrl: string; title: string; publicUrl: string }) {
  const apiOrigin = new URL(opts.publicUrl).origin;
  // Scalar takes its nonce from the configuration, fixed at registration; each response swaps this per-process
  // placeholder for a fresh nonce (the placeholder never leaves the process).
  const placeholder = `nonce-placeholder-${randomBytes(16).toString('hex')}`;
  const scalarScript = `<script src="js/scalar.js" nonce="${placeholder}">`;
  app.addHook('onRequest', async (req: WithNonce) => {
    req[NONCE] = randomBytes(16).toString('base64');
  });
  app.addHook('onSend', async (req: WithNonce, reply: FastifyReply, payload: unknown) => {
    const nonce = req[NONCE]!;
    reply.header('content-security-policy', docsContentSecurityPolicy(nonce, apiOrigin));
    if (typeof payload !== 'string' || !String(reply.getHeader('content-type')).startsWith('text/html')) return payload;
    const page = payload.replace(scalarScript, `<script src="js/no-eval.js" nonce="${placeholder}"></script>\n    ${scalarScript}`);
    return page.replaceAll(placeholder, nonce);
  });
  app.get('/docs/js/no-eval.js', { schema: { hide: true } }, async (_req, reply) => reply.type('application/javascript; charset=utf-8').send(NO_EVAL_JS));
  const { default: scalar } = await import('@scalar/fastify-api-reference');
  await app.register(scalar, {
    routePrefix: '/docs',
    configuration: {
      url: opts.openApiUrl,
      title: opts.title,
      pageTitle: opts.title,
      nonce: placeholder,
      withDefaultFonts: false,
      telemetry: false,
      hideClientButton: true,
      agent: { disabled: true, hideAddApi: true },
      mcp: { disabled: true },
      showDeveloperTools: 'never',
    },
  });
}
