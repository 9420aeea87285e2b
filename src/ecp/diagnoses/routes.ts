/** Placeholder, being built. */
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../app.ts';

export async function diagnosisRoutes(_app: FastifyInstance, _deps: Services) {}
