// The column and sort shapes DataTable takes (a .vue <script setup> cannot export them itself).

export interface DataTableColumn<R> {
  key: string;
  label: string;
  sortable?: boolean;
  /** what the column sorts by; the row's own field `key` otherwise */
  sortValue?: (row: R) => string | number | null | undefined;
  align?: 'start' | 'end';
}

export interface DataTableSort { key: string; direction: 'ascending' | 'descending' }
