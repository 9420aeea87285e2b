/**
 * Import boundaries of src/ (docs/decisions.md, "Import boundaries"; ARCHITECTURE.md, "Layout"), checked by
 * `npm test` before vitest: `depcruise src --config .dependency-cruiser.cjs`. A violation prints the rule's name
 * and the offending import, and fails the run.
 *
 * The top-level files of src/ (app.ts, main.ts, config.ts, console.ts, demo.ts, workers.ts, root.ts) compose the
 * application; features (ecm, ecp, fhir, community), platform and db receive what they need as arguments.
 * Type-only imports count (tsPreCompilationDeps): a type from app.ts couples a feature to the entry point too.
 */
const FEATURES = '(ecm|ecp|fhir|community)';
const BELOW_ENTRY = `^src/(${FEATURES.slice(1, -1)}|platform|db)/`;

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-entry-imports',
      comment: 'Features, platform and db never import the composition files at the top of src/ (app.ts, main.ts, config.ts, ...): '
        + 'config values and services come in as narrow arguments from app.ts/main.ts.',
      severity: 'error',
      from: { path: BELOW_ENTRY },
      to: { path: '^src/[^/]+$' },
    },
    {
      name: 'ecm-not-ecp',
      comment: 'The ECM clinic API never imports the ECP partner API.',
      severity: 'error',
      from: { path: '^src/ecm/' },
      to: { path: '^src/ecp/' },
    },
    {
      name: 'ecp-not-ecm',
      comment: 'The ECP partner API never imports the ECM clinic API.',
      severity: 'error',
      from: { path: '^src/ecp/' },
      to: { path: '^src/ecm/' },
    },
    {
      name: 'platform-no-features',
      comment: 'platform/ is shared infrastructure: it imports no feature.',
      severity: 'error',
      from: { path: '^src/platform/' },
      to: { path: `^src/${FEATURES}/` },
    },
    {
      name: 'db-no-app',
      comment: 'db/ (connection, pool, schema, migrations) imports nothing of the application outside db/.',
      severity: 'error',
      from: { path: '^src/db/' },
      to: { path: '^src/', pathNot: '^src/db/' },
    },
    {
      name: 'fhir-uses-ecp-services-only',
      comment: 'The FHIR door (src/fhir/) reaches ECP data through ECP services (src/ecp/<feature>/service.ts), never stores, routes or wire code.',
      severity: 'error',
      from: { path: '^src/fhir/' },
      to: { path: '^src/ecp/', pathNot: '^src/ecp/[^/]+/service\\.ts$' },
    },
    {
      name: 'nothing-imports-fhir',
      comment: 'No feature, platform or db code imports src/fhir/; only the composition files at the top of src/ register it.',
      severity: 'error',
      from: { path: BELOW_ENTRY, pathNot: '^src/fhir/' },
      to: { path: '^src/fhir/' },
    },
    {
      name: 'store-private-to-feature',
      comment: 'A feature\'s store.ts (its SQL) is imported only from its own folder: a feature that needs another\'s data '
        + 'calls that feature\'s service.ts. The ECP-shared SQL fragments (src/ecp/shared/store.ts) are for every ECP store.',
      severity: 'error',
      from: { path: '^src/([^/]+)/([^/]+)/' },
      to: { path: `^src/${FEATURES}/[^/]+/store\\.ts$`, pathNot: ['^src/$1/$2/', '^src/ecp/shared/store\\.ts$'] },
    },
    {
      name: 'store-private-to-feature',
      comment: 'The same rule for the files in no feature folder (src/app.ts, src/ecp/routes.ts, ...): they reach a '
        + 'feature\'s data through its service.ts, never its store.ts.',
      severity: 'error',
      from: { path: ['^src/[^/]+$', '^src/[^/]+/[^/]+$'] },
      to: { path: `^src/${FEATURES}/[^/]+/store\\.ts$`, pathNot: '^src/ecp/shared/store\\.ts$' },
    },
    {
      name: 'no-circular',
      comment: 'No import cycles (type-only imports included).',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
  ],
  options: {
    includeOnly: '^src/',
    exclude: { path: '\\.d\\.ts$' },
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs'] },
  },
};
