/**
 * Page arithmetic shared by every ECM list (ARCHITECTURE.md, "Wire conventions"):
 * `page` defaults to 1; the page size is read from `per_page` or `page_size`,
 * defaults to 25, and a value above 100 is treated as 100.
 */
import { Type } from 'typebox';

export const DEFAULT_PER_PAGE = 25;
export const MAX_PER_PAGE = 100;

/** Query-string schema fragment for `page`, `per_page` and `page_size`. */
export const PageQuery = {
  page: Type.Optional(Type.Integer({ minimum: 1, description: 'Page number, from 1 (default 1).' })),
  per_page: Type.Optional(
    Type.Integer({ minimum: 1, description: `Items per page (default ${DEFAULT_PER_PAGE}; above ${MAX_PER_PAGE} is treated as ${MAX_PER_PAGE}).` }),
  ),
  page_size: Type.Optional(Type.Integer({ minimum: 1, description: 'Same as per_page.' })),
};

export const Pagination = Type.Object(
  {
    current_page: Type.Integer(),
    total_pages: Type.Integer(),
    total_count: Type.Integer(),
    per_page: Type.Integer(),
  },
  { description: 'Where this page stands in the whole list.' },
);

export interface PageRequest {
  page: number;
  perPage: number;
  offset: number;
}

/** Resolves the page and page size a client asked for (`per_page` wins over `page_size`). */
export function pageRequest(q: { page?: number; per_page?: number; page_size?: number }): PageRequest {
  const page = q.page ?? 1;
  const perPage = Math.min(q.per_page ?? q.page_size ?? DEFAULT_PER_PAGE, MAX_PER_PAGE);
  return { page, perPage, offset: (page - 1) * perPage };
}

/** The `pagination` object of a list response. */
export function paginationOf(req: PageRequest, totalCount: number) {
  return {
    current_page: req.page,
    total_pages: Math.ceil(totalCount / req.perPage),
    total_count: totalCount,
    per_page: req.perPage,
  };
}
