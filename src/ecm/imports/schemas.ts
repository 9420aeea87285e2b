/**
 * Wire schemas of the imports: the Member Information File import and
 * its history, and the authorization import.
 */
import { Type, type Static } from 'typebox';
import { PageQuery, Pagination } from '../../platform/pagination.ts';
import { LimitedString, Nullable } from '../../platform/schema.ts';
import { FILE_TYPES } from './readers.ts';
import { AUTHORIZATION_COLUMNS, AUTHORIZATION_TYPES, MIF_COLUMNS } from './rows.ts';

/** Largest import file read, bytes (50 MiB; a 50,000-member MIF is about 10 MiB of CSV). */
export const IMPORT_MAX_BYTES = 50 * 1024 * 1024;
/** Request body limit of the import routes: the file in base64 (4/3 of it) plus room for the JSON around it. */
export const IMPORT_BODY_LIMIT = Math.ceil((IMPORT_MAX_BYTES * 4) / 3) + 1024 * 1024;

const SOURCE_DESCRIPTION =
  'Exactly one of `file`, `url` or `path`. `file_type` (`csv`, `xml`, `xlsx`, `xlsm`) is detected when omitted: from the data URI\'s ' +
  'media type, the file name, then the content. `xls` (binary Excel) is refused: save the file as XLSX.';

const Source = Type.Object(
  {
    file: Type.Optional(
      Type.String({
        maxLength: IMPORT_BODY_LIMIT,
        description:
          'The file in base64 behind a data-URI prefix: `data:text/csv;base64,`, `data:text/xml;base64,`, ' +
          '`data:application/vnd.openxmlformats-officedocument.spreadsheetml.sheet;base64,` (a `;name=<file name>` parameter is kept as the file name).',
      }),
    ),
    url: Type.Optional(LimitedString('url', { description: 'An http(s) URL to download; its host must be listed in `IMPORT_URL_HOSTS`. No redirects.' })),
    path: Type.Optional(LimitedString('path', {
      description:
        'A file in the clinic\'s own drop folder `DATA_DIR/imports/<organization id>/` (its SFTP drop), relative to that folder ' +
        '(`nightly/mif.csv`). Absolute paths, `..` and symbolic links out of the folder reach nothing: they answer the same 422 as a missing file.',
    })),
    file_type: Type.Optional(Type.Enum(FILE_TYPES, { description: 'csv (comma or tab delimited), xml, xlsx, xlsm; xls is refused.' })),
    filename: Type.Optional(LimitedString('fileName', { description: 'Name kept in the import history (`url` and `path` use their own).' })),
  },
  { description: SOURCE_DESCRIPTION },
);
export type ImportSourceWire = Static<typeof Source>;

export const MifBody = Type.Object({ mif: Source });
export const AuthorizationBody = Type.Object({ authorization: Source });

export const MIF_DESCRIPTION = [
  'Creates or updates the clinic\'s members from a Member Information File, matched on `MEMBER_ID`, in one transaction.',
  '',
  '**Formats.** CSV: a header row, comma or tab delimited, dates `MM-DD-YYYY`. XML: one `<Member>` element per member, child',
  'elements named as the CSV headers. XLSX: the first worksheet, headers in row 1. Header names are case-insensitive.',
  '',
  `**Columns.** ${MIF_COLUMNS.map((c) => `\`${c}\``).join(', ')}.`,
  '- `MEMBER_ID` (required): the plan\'s member id, the match key.',
  '- `FIRST_NAME`, `LAST_NAME`: required for a new member.',
  '- `DOB`, `ECM_BENEFIT_AUTH_EFF_DATE`, `ECM_BENEFIT_AUTH_END_DATE`: `MM-DD-YYYY` (also `MM/DD/YYYY`, `YYYY-MM-DD`, spreadsheet dates).',
  '- `GENDER`: M, F, male, female, other, unknown. `ADDRESS` is the street; `STATE` two letters; `ZIP` 5 digits or ZIP+4.',
  '- `PHONE`: stored as E.164. `EMAIL`. `ECM_NPI`: 10 digits. `ACUITY_LEVEL`: low, medium, high.',
  '- `CIN`: the state\'s Client Index Number (`MEMBER_ID` when absent). `ECM_SERVICE_AUTH_ID`, `ECM_PROVIDER_NAME`.',
  '- `MEMBER_RECORD_STATUS`: new_member, continuing_member, pending_member, terminated_member, inactive_member (`New Member` works too).',
  '- `MCP_ID`, `MCP_NAME`: the member\'s managed-care plan (the clinic\'s settings when absent on a new member).',
  '',
  'Unknown columns are reported in `unknown_columns`, not fatal. A blank cell leaves the stored value as it is.',
  'A new member gets `new_member` (or the row\'s `MEMBER_RECORD_STATUS`) and a status-history entry by `MIF Import`; a changed',
  'status on an existing member is recorded the same way.',
  '',
  '**Errors.** A row with bad data is rejected with its row number and reasons (`errors`) while the valid rows import.',
  'A file that cannot be read (or has no `MEMBER_ID` column) is 422 and changes nothing.',
].join('\n');

export const AUTHORIZATION_DESCRIPTION = [
  'Creates or updates the members\' ECM authorizations from an authorization file (key: `Auth No`), in one transaction.',
  '',
  '**Formats.** XLSX and XLSM (first worksheet, headers in row 1), CSV (comma or tab), XML (one `<Authorization>` element each).',
  'Legacy `.xls` is 422 `XLS files are not supported; save the file as XLSX`.',
  '',
  `**Columns.** ${AUTHORIZATION_COLUMNS.map((c) => `\`${c}\``).join(', ')} (case-insensitive; spaces or underscores).`,
  '- `Auth No` (required): creates the authorization, or updates the one with that number.',
  '- `Member ID`: the member\'s `member_id`; required for a new authorization.',
  `- \`Authorization Type\`: ${AUTHORIZATION_TYPES.join(', ')} (\`I\` works too). \`Auth Type\`: free text (e.g. \`ES\`).`,
  '- `Status`: Approved, Pending, Denied, Terminated (required for a new authorization).',
  '- `Start Date`, `Expiration Date`: `MM-DD-YYYY` (also `MM/DD/YYYY`, `YYYY-MM-DD`, spreadsheet dates).',
  '',
  '**Member status.** Each member whose authorizations changed gets the `member_record_status` they call for, recorded in the',
  'status history by `Authorization Import`: the most recent current (unexpired) authorization decides; Approved makes',
  '`new_member` for the member\'s first approval and `continuing_member` otherwise; Pending makes `pending_member`; Denied or',
  'Terminated makes `terminated_member` unless another current authorization is Approved. A daily job terminates members',
  'whose last approval expired without renewal (`Authorization Expired`), unless their status was written after it expired.',
  '',
  '**Errors.** A bad row is rejected with its row number and reasons (`Validation failed: Auth No can\'t be blank`) while the',
  'valid rows import; a file that cannot be read is 422 and changes nothing.',
].join('\n');

const Timestamp = (description: string) => Type.String({ format: 'date-time', description: `${description} (UTC, ISO 8601)` });

const MifRowError = Type.Object({
  row: Type.Integer({ description: 'Row number as a spreadsheet shows it (header = 1); for XML, the `<Member>` element\'s position (from 1).' }),
  member_id: Nullable(Type.String()),
  messages: Type.Array(Type.String()),
});
export type MifRowErrorWire = Static<typeof MifRowError>;

const MifImportFields = {
  id: Type.Integer(),
  source: Type.String({ description: '`file`, `url`, `path` or `cli`.' }),
  file_type: Type.String(),
  filename: Nullable(Type.String()),
  created_count: Type.Integer({ description: 'Members created.' }),
  updated_count: Type.Integer({ description: 'Existing members matched on MEMBER_ID and updated.' }),
  rejected_count: Type.Integer({ description: 'Rows rejected (see `errors`).' }),
  unknown_columns: Type.Array(Type.String(), { description: 'Columns of the file that are not MIF columns (ignored).' }),
  created_by_user_id: Nullable(Type.Integer()),
  created_at: Timestamp('When the file was imported'),
};

export const MifImportSummary = Type.Object(MifImportFields);
export const MifImportDetail = Type.Object({ ...MifImportFields, errors: Type.Array(MifRowError) });
export type MifImportDetailWire = Static<typeof MifImportDetail>;

export const MifImportResponse = Type.Object({ message: Type.String(), mif_import: MifImportDetail });
export const MifImportEnvelope = Type.Object({ mif_import: MifImportDetail });
export const MifImportList = Type.Object({ mif_imports: Type.Array(MifImportSummary), pagination: Pagination });
export const MifImportParams = Type.Object({ id: Type.Integer({ description: 'MIF import ID.' }) });
export const MifImportListQuery = Type.Object({ ...PageQuery });
export type MifImportListQueryWire = Static<typeof MifImportListQuery>;

const AuthorizationRowError = Type.Object({
  row: Type.Integer({ description: 'Row number as a spreadsheet shows it (header = 1).' }),
  messages: Type.Array(Type.String(), { description: 'Each with the `Validation failed: ` prefix.' }),
});
export type AuthorizationRowErrorWire = Static<typeof AuthorizationRowError>;

export const AuthorizationImportResponse = Type.Object({
  message: Type.String({ description: '`Authorization data imported successfully`.' }),
  imported_count: Type.Integer({ description: 'Authorizations created.' }),
  updated_count: Type.Integer({ description: 'Existing authorizations (same Auth No) updated.' }),
  rejected_count: Type.Integer(),
  authorization_file_id: Type.Integer(),
  errors: Type.Array(AuthorizationRowError),
});
export type AuthorizationImportResponseWire = Static<typeof AuthorizationImportResponse>;
