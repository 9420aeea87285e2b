/**
 * `care ecp ...` commands: partner clients and locations.
 *
 *   care ecp clients create --company <name> --locations "<name>,<name>" [--scopes "<scopes>"] [--jwks <file>] [--json]
 *   care ecp clients set-jwks <client_id> <file> [--json]
 *   care ecp clients disable|enable|rotate-secret|rotate-api-key <client_id> [--json]
 *   care ecp locations set-time-zone <locationId> <zone> [--json]
 *   care ecp users set-password --company <name> --login <loginName> --password <p> [--must-change] [--json]
 */
import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { printableCredentials, type PartnerClientService } from './clients/service.ts';
import type { CommunityAuthService } from './community/service.ts';
import { systemContext } from '../platform/context.ts';

/** Runs `fn` with the platform's services open (the CLI's `withPlatform`); `S` is the services the commands use. */
export type RunWithServices<S> = (fn: (services: S) => Promise<void>) => Promise<void>;

function print(json: boolean | undefined, data: object, human: string) {
  process.stdout.write(json ? JSON.stringify(data) + '\n' : human + '\n');
}

/** Adds the `ecp` command tree to `program`. */
export function registerEcpCommands(program: Command, run: RunWithServices<{ partnerClients: PartnerClientService; communityAuth: CommunityAuthService }>): void {
  const ecp = program.command('ecp').description('ECP partner API and community workspace administration');
  const clients = ecp.command('clients').description('partner clients (OAuth2 client credentials)');

  ecp
    .command('users')
    .description('ECP users (community staff)')
    .command('set-password')
    .description('set the community workspace password of an ECP user and end their sessions (no change required at sign-in unless --must-change)')
    .requiredOption('--company <name>', 'company, by its exact name or GUID')
    .requiredOption('--login <loginName>', 'the user\'s login name (case-insensitive)')
    .requiredOption('--password <password>', 'the new password (at least 8 characters)')
    .option('--must-change', 'the user must choose a new password at the next sign-in')
    .option('--json', 'print {"userId", "loginName", "company", "mustChangePassword"} as JSON only')
    .action(async (o: { company: string; login: string; password: string; mustChange?: boolean; json?: boolean }) => {
      await run(async (s) => {
        const { user, company } = await s.communityAuth.setPassword(systemContext(0, 'care ecp users set-password'), o.company, o.login, o.password, { mustChange: Boolean(o.mustChange) });
        print(o.json, { userId: user.guid, loginName: user.loginName, company: company.name, mustChangePassword: Boolean(o.mustChange) },
          `Password of ${user.loginName} (${user.guid}) in "${company.name}" set${o.mustChange ? '; it must be changed at the next sign-in' : ''}. Their sessions were ended.`);
      });
    });

  clients
    .command('create')
    .description('create a partner client (and the company and locations it names, when missing); prints its credentials once')
    .requiredOption('--company <name>', 'company (organization), by its exact name')
    .requiredOption('--locations <names>', 'comma-separated location names the client may reach')
    .option('--scopes <scopes>', 'space- or comma-separated scopes (default: every scope)')
    .option('--jwks <file>', 'the client\'s public keys (a JWK Set, JSON) for private_key_jwt at /token (SMART Backend Services)')
    .option('--json', 'print {"client_id", "client_secret", "client_secret_base64", "api_key", "companyId", "locations"} as JSON only (GUIDs, as partners see them)')
    .action(async (o: { company: string; locations: string; scopes?: string; jwks?: string; json?: boolean }) => {
      await run(async (s) => {
        const jwks = o.jwks === undefined ? undefined : JSON.parse(await readFile(o.jwks, 'utf8')) as unknown;
        const c = await s.partnerClients.createClient(o.company, o.locations.split(','), o.scopes, { jwks });
        print(o.json, printableCredentials(c), [
          `Partner client of "${o.company}" (companyId ${c.companyId}):`,
          `  client_id:            ${c.client_id}`,
          `  client_secret:        ${c.client_secret}`,
          `  client_secret_base64: ${c.client_secret_base64}  (the seed's /token JSON body sends this)`,
          `  api_key:              ${c.api_key}`,
          ...c.locations.map((l) => `  location:             ${l.locationId}  ${l.name}`),
          'The secret and the key are not shown again.',
        ].join('\n'));
      });
    });

  clients
    .command('set-jwks <client_id> <file>')
    .description('register (or replace) a client\'s public keys (a JWK Set, JSON) for private_key_jwt at /token')
    .option('--json', 'print the result as JSON only')
    .action(async (clientId: string, file: string, o: { json?: boolean }) => {
      await run(async (s) => {
        const r = await s.partnerClients.setJwks(clientId, JSON.parse(await readFile(file, 'utf8')) as unknown);
        print(o.json, r, `Client ${r.client_id} now has ${r.keys} public key(s) for private_key_jwt.`);
      });
    });

  for (const [name, description] of [
    ['disable', 'disable a client: its tokens stop working at once'],
    ['enable', 'enable a client again (tokens issued before stay refused)'],
    ['rotate-secret', 'issue a new client secret; tokens issued before are refused'],
    ['rotate-api-key', 'issue a new Api-Key; the old one stops working at once'],
  ] as const) {
    clients
      .command(`${name} <client_id>`)
      .description(description)
      .option('--json', 'print the result as JSON only')
      .action(async (clientId: string, o: { json?: boolean }) => {
        await run(async (s) => {
          if (name === 'disable' || name === 'enable') {
            const row = await s.partnerClients.setDisabled(clientId, name === 'disable');
            print(o.json, { client_id: row.clientId, disabled: Boolean(row.disabledAt) }, `Client ${row.clientId} is ${row.disabledAt ? 'disabled' : 'enabled'}.`);
          } else if (name === 'rotate-secret') {
            const r = await s.partnerClients.rotateSecret(clientId);
            print(o.json, r, `New secret of ${r.client_id}: ${r.client_secret}\n  base64: ${r.client_secret_base64}`);
          } else {
            const r = await s.partnerClients.rotateApiKey(clientId);
            print(o.json, r, `New Api-Key of ${r.client_id}: ${r.api_key}`);
          }
        });
      });
  }

  ecp
    .command('locations')
    .description('locations (communities) of ECP companies')
    .command('set-time-zone <locationId> <zone>')
    .description("set the IANA time zone (e.g. America/Chicago) in which the location's request timestamps without a UTC offset, "
      + "and dates alone, are read; until set, its company's (default America/Los_Angeles)")
    .option('--json', 'print {"locationId", "name", "timeZone"} as JSON only')
    .action(async (locationId: string, zone: string, o: { json?: boolean }) => {
      await run(async (s) => {
        const l = await s.partnerClients.setLocationTimeZone(locationId, zone);
        print(o.json, l, `Location ${l.locationId} (${l.name}) reads timestamps without an offset in ${l.timeZone}.`);
      });
    });
}
