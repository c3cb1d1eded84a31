// DataTable: select-all selects the rows shown (and reads as mixed when some are), headers sort.
import { describe, expect, it } from 'vitest';
import { mount } from '@vue/test-utils';
import DataTable from './DataTable.vue';

const rows = [
  { id: 'a', name: 'beta', findings: 3 },
  { id: 'b', name: 'alpha', findings: 10 },
  { id: 'c', name: 'gamma', findings: null },
];
const columns = [
  { key: 'name', label: 'Name', sortable: true },
  { key: 'findings', label: 'Findings', sortable: true, align: 'end' as const },
];

function names(wrapper: ReturnType<typeof mount>) {
  return wrapper.findAll('tbody tr').map((tr) => tr.findAll('td')[1]!.text());
}

describe('DataTable', () => {
  it('selects every row shown with select-all, and one by one', async () => {
    const wrapper = mount(DataTable, { props: { rows, columns, label: 'Projects', selectable: true, rowLabel: (r: { id: string }) => `Select ${rows.find((row) => row.id === r.id)!.name}`, selected: [] } });
    const all = wrapper.get('input[aria-label="Select all rows shown"]');
    await wrapper.get('input[aria-label="Select alpha"]').setValue(true);
    expect(wrapper.emitted('update:selected')!.at(-1)).toEqual([['b']]);
    await wrapper.setProps({ selected: ['b'] });
    expect((all.element as HTMLInputElement).indeterminate).toBe(true);
    await all.setValue(true);
    expect(wrapper.emitted('update:selected')!.at(-1)).toEqual([['b', 'a', 'c']]);
  });

  it('sorts by a column, both ways, with empty values last, and says so in aria-sort', async () => {
    const wrapper = mount(DataTable, { props: { rows, columns, label: 'Projects', sort: null, 'onUpdate:sort': (sort: unknown) => wrapper.setProps({ sort: sort as never }) } });
    expect(names(wrapper)).toEqual(['3', '10', '']);
    const header = () => wrapper.findAll('th')[1]!;
    await header().get('button').trigger('click');
    expect(names(wrapper)).toEqual(['3', '10', '']);
    expect(header().attributes('aria-sort')).toBe('ascending');
    await header().get('button').trigger('click');
    expect(names(wrapper)).toEqual(['10', '3', '']);
    expect(header().attributes('aria-sort')).toBe('descending');
    await wrapper.findAll('th')[0]!.get('button').trigger('click');
    expect(wrapper.findAll('tbody tr').map((tr) => tr.findAll('td')[0]!.text())).toEqual(['alpha', 'beta', 'gamma']);
  });
});
