/** Wire schemas of `GET /clinical/v1/codes/icd10cm` (a platform addition beside seed 000's diagnosis endpoints). */
import { Type, type Static } from 'typebox';

export const CodeSearchQuery = Type.Object({
  search: Type.String({ minLength: 2, maxLength: 100, description: 'A code prefix (`E11`, `E11.6`, `e116`) or words of the description (`diabetes kidney`).' }),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20, description: 'Most results to return (default 20, at most 100).' })),
});
export type CodeSearchQueryWire = Static<typeof CodeSearchQuery>;

export const CodeSearchResult = Type.Object({
  result: Type.Literal('Success'),
  fiscalYear: Type.Union([Type.Integer(), Type.Null()], { description: 'The code set searched (the latest imported); null when none is imported.' }),
  numberOfResults: Type.Integer({ description: 'Entries in data.' }),
  data: Type.Array(Type.Object({
    code: Type.String({ description: 'Dotted: E11.9.' }),
    description: Type.String({ description: "CMS's long description." }),
    billable: Type.Boolean({ description: 'False for a category header, which a diagnosis cannot use.' }),
  })),
});
