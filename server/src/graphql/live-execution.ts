// A live event's GraphQL, run once for all the subscriptions that get the same answer rather than
// once per subscription. The engine executes a subscription's selection for every event of every
// subscriber: at 1,000 subscribers that was 1,000 runs of the same resolvers and authorization checks
// on the same row, with their promises and garbage. Shared, the API's CPU per event at 1,000
// subscribers went from 102–137 ms to 47–67 ms, and at 10,000 from 1.2–1.4 s (which could not keep
// up with 5 events a second) to 0.5–0.6 s (bench:live, README).
//
// What an answer can depend on: the row (one object per selection and event, live/topics.ts), the
// document, its operation name and variables, and what the resolvers read of who is asking. They may
// read the viewer's rights (RIGHTS_FIELDS, the product roles, and what Viewer derives from them) and
// the process's services; such an answer is shared by every viewer with the same rights. Any other
// read — the viewer's id, email or any other field of its user, the connection's token, address or
// anything else in its context — is noticed while the answer is made, through proxies, and then that
// answer is its viewer's own and every other viewer gets one made for them (and kept for that
// user's other subscriptions). So an answer is never shared between viewers it could tell apart,
// whatever a resolver added later reads. Each answer is made for the viewer as this batch loaded it
// (a subscription's context still holds the viewer of when it subscribed) and with fresh request
// loaders (a subscription's own kept what the first event read for as long as it lived).
//
// Only streams a live field registered (executedOnce) are executed here; the engine still does
// everything up to the stream (variables, the subscribe resolver and its errors), and envelop's
// hooks (masked errors) still wrap what this returns. Subscribers of one answer get the same result
// object, and graphql-ws writes it to each socket.
import { execute, print, type ExecutionArgs, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { RIGHTS_FIELDS, type LiveItem } from '../live/topics.ts';
import type { Context } from './context.ts';

type LiveSource = AsyncIterableIterator<LiveItem>;

/** the stream each live subscription's resolver returned, by the subscription's context */
const sources = new WeakMap<object, LiveSource>();

/** what a resolver may read of a context and keep its answer shareable: the services, the viewer (its rights), the loaders */
const SHARED_CONTEXT = new Set<string>(['config', 'prisma', 'pool', 'secrets', 'log', 'live', 'viewer', 'loaders'] satisfies Array<keyof Context>);
const RIGHTS = new Set<string | symbol>(RIGHTS_FIELDS);

interface Answer { result: ExecutionResult; personal: boolean }
interface Answers {
  /** made for the first viewer of these rights; shared unless `personal` */
  byRights: Map<string, Promise<Answer>>;
  /** by user: the answer made for its viewer, shared or not, and those made because a shared one was personal */
  byUser: Map<number, Promise<Answer>>;
}
/** per row object, per `${operationName}\n${variables}\n${document}` */
const answers = new WeakMap<object, Map<string, Answers>>();

/** a live field's subscribe resolver hands its stream here: its events are executed once per answer */
export function executedOnce<S extends LiveSource>(ctx: Context, source: S): S {
  sources.set(ctx, source);
  return source;
}

export function sharedLiveExecution(): Plugin<Context> {
  return {
    onSubscribe({ subscribeFn, setSubscribeFn }) {
      setSubscribeFn(async (args) => {
        const result = await subscribeFn(args);
        const source = sources.get(args.contextValue as object);
        if (!source || !(Symbol.asyncIterator in result)) return result;
        sources.delete(args.contextValue as object);
        // the engine's own stream over `source` is left unread: it would execute every event again
        return executeEachOnce(source, args);
      });
    },
  };
}

function executeEachOnce(source: LiveSource, args: ExecutionArgs): AsyncIterableIterator<ExecutionResult> {
  const key = `${args.operationName ?? ''}\n${JSON.stringify(args.variableValues ?? {})}\n${print(args.document)}`;
  return {
    async next() {
      const next = await source.next();
      return next.done ? next : { value: await answerOnce(args, key, next.value), done: false };
    },
    return: () => source.return!() as Promise<IteratorResult<ExecutionResult>>,
    [Symbol.asyncIterator]() { return this; },
  };
}

/** the answer to `args` (whose operation, variables and document `key` names) for `item`, made once per rights or per user */
export async function answerOnce(args: ExecutionArgs, key: string, item: LiveItem): Promise<ExecutionResult> {
  let byKey = answers.get(item.row);
  if (!byKey) answers.set(item.row, (byKey = new Map()));
  let made = byKey.get(key);
  if (!made) byKey.set(key, (made = { byRights: new Map(), byUser: new Map() }));
  const userId = item.viewer.id;
  let own = made.byUser.get(userId);
  if (!own) {
    let shared = made.byRights.get(item.rights);
    if (!shared) {
      made.byRights.set(item.rights, (shared = answer(args, item)));
      made.byUser.set(userId, shared);
    }
    // another viewer's: usable only if it read nothing of who that viewer is
    if (!(await shared).personal) return (await shared).result;
    own = made.byUser.get(userId);
    if (!own) made.byUser.set(userId, (own = answer(args, item)));
  }
  return (await own).result;
}

/** executes `args` on `item` for its viewer, noting whether anything beyond the viewer's rights and the services was read */
async function answer(args: ExecutionArgs, item: LiveItem): Promise<Answer> {
  let personal = false;
  const user = new Proxy(item.viewer.user, {
    get(target, field) { if (!RIGHTS.has(field)) personal = true; return Reflect.get(target, field); },
  });
  // getters and methods run with the proxy as `this`, so what they read of the user is seen too
  const viewer = new Proxy(item.viewer, {
    get(target, field, receiver) { return field === 'user' ? user : Reflect.get(target, field, receiver); },
  });
  // its string keys only: Pothos keys its per-request caches (the scopes it decided for a viewer,
  // among them) by a symbol of the context when there is one, and this viewer's must start empty
  const context = { ...Object.fromEntries(Object.entries(args.contextValue as Context)), viewer, loaders: new Map() };
  const contextValue = new Proxy(context, {
    get(target, field) { if (typeof field === 'string' && !SHARED_CONTEXT.has(field)) personal = true; return Reflect.get(target, field); },
  });
  // the root holds the row alone: nothing of this viewer reaches the resolvers but through the proxies
  const result = await execute({ ...args, rootValue: { row: item.row }, contextValue });
  return { result, personal };
}
