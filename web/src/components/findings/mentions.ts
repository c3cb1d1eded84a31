// @mentions in a note's text, found the way the server finds them (server/src/notifications/
// mentions.ts): "@alice@example.com" or "@alice", not inside a word or an email address.

const MENTION = /(^|[^\w@])(@[\w.+-]+(?:@[\w-]+(?:\.[\w-]+)+)?)/g;

export interface NotePart { text: string; mention: boolean }

/** the text cut into plain parts and mentions, in order ("ping @bob." → "ping ", "@bob", ".") */
export function splitMentions(text: string): NotePart[] {
  const parts: NotePart[] = [];
  let last = 0;
  for (const match of text.matchAll(MENTION)) {
    // a trailing full stop ends the sentence, not the handle
    const handle = match[2]!.replace(/\.+$/, '');
    const start = match.index! + match[1]!.length;
    if (start > last) parts.push({ text: text.slice(last, start), mention: false });
    parts.push({ text: handle, mention: true });
    last = start + handle.length;
  }
  if (last < text.length) parts.push({ text: text.slice(last), mention: false });
  return parts;
}
