// Mentions in a note are highlighted where the server would notify someone.
import { describe, expect, it } from 'vitest';
import { splitMentions } from './mentions';

describe('splitMentions', () => {
  it('finds handles and emails, not addresses inside words, and leaves a full stop out', () => {
    expect(splitMentions('ping @bob and @alice@example.com.')).toEqual([
      { text: 'ping ', mention: false }, { text: '@bob', mention: true }, { text: ' and ', mention: false },
      { text: '@alice@example.com', mention: true }, { text: '.', mention: false },
    ]);
    expect(splitMentions('mail carol@example.com')).toEqual([{ text: 'mail carol@example.com', mention: false }]);
    expect(splitMentions('@dave first')).toEqual([{ text: '@dave', mention: true }, { text: ' first', mention: false }]);
    expect(splitMentions('')).toEqual([]);
  });
});
