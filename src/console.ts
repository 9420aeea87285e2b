/**
 * The care team console (web/, built by `npm run build` into web/dist) served at
 * `/app`: hashed assets with a year-long immutable cache, `index.html` with
 * `no-cache` for `/app` and every client route under it (SPA fallback), 404 for
 * unknown asset files. Serving never builds: without a build, `/app` answers 503
 * saying how to build it. Everything under `/app` carries the console's
 * Content-Security-Policy and security headers (`@fastify/helmet`, registered in
 * this plugin's scope only, so `/docs` keeps its own policy).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import helmet, { type FastifyHelmetOptions } from '@fastify/helmet';
import fastifyStatic from '@fastify/static';
import { PROJECT_ROOT } from './root.ts';

export const CONSOLE_DIST = path.join(PROJECT_ROOT, 'web/dist');

const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * The console's security headers. Scripts only from this origin, never inline (the Vite build emits none: the
 * entry is a module file and the modulepreload polyfill is bundled into it); styles from this origin plus inline
 * ones, since Mantine writes its CSS variables and responsive style props into `<style>` elements at run time;
 * images and fonts from this origin or `data:` (the page's empty icon, Mantine's inline SVGs); API calls to this
 * origin; no framing (`frame-ancestors 'none'`, `X-Frame-Options: DENY`); no plugins; no `<base>`; no referrer;
 * `nosniff`. With `https`, HSTS and `upgrade-insecure-requests` too.
 * @param https true when PUBLIC_URL is https.
 */
export function consoleSecurityHeaders(https: boolean): FastifyHelmetOptions {
  return {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        scriptSrcAttr: ["'none'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        ...(https ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    xFrameOptions: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    xContentTypeOptions: true,
    ...(https ? {} : { strictTransportSecurity: false }),
  };
}

/**
 * Registers `/app` and `/app/*`; `root` is the build output (default web/dist); `https` (PUBLIC_URL is https)
 * adds HSTS to the security headers.
 */
export async function consoleRoutes(app: FastifyInstance, opts: { root?: string; https: boolean }) {
  const root = opts.root ?? CONSOLE_DIST;
  const hide = { schema: { hide: true } };
  await app.register(helmet, consoleSecurityHeaders(opts.https));
  if (!fs.existsSync(path.join(root, 'index.html'))) {
    const notBuilt = async (_req: unknown, reply: import('fastify').FastifyReply) =>
      reply.code(503).type('text/plain').send('The console is not built: run `npm run build`.');
    app.get('/app', hide, notBuilt);
    app.get('/app/*', hide, notBuilt);
    return;
  }
  await app.register(fastifyStatic, {
    root,
    prefix: '/app/',
    wildcard: false,
    index: false,
    cacheControl: false,
    setHeaders(reply, filePath) {
      reply.header('cache-control', filePath.includes(`${path.sep}assets${path.sep}`) ? IMMUTABLE : 'no-cache');
    },
  });
  // Client routes (/app/members/12, ...) get the app shell; a missing asset is a real 404.
  const shell = async (req: import('fastify').FastifyRequest, reply: import('fastify').FastifyReply) => {
    if (req.url.startsWith('/app/assets/')) return reply.code(404).type('text/plain').send('Not found');
    return reply.header('cache-control', 'no-cache').sendFile('index.html', root);
  };
  app.get('/app', hide, shell);
  app.get('/app/*', hide, shell);
}
