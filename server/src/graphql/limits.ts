// What one GraphQL request may ask for, on HTTP and websockets alike (both run yoga's envelop):
// depth, tokens, aliases and directives (graphql-armor), a cost limit that multiplies by page sizes,
// no repeated fields or circular introspection, no schema introspection or "Did you mean" hints for
// anonymous callers, and no text PostgreSQL cannot store (NUL characters, unpaired UTF-16 surrogates).
import {
  GraphQLError, Kind, NoSchemaIntrospectionCustomRule, getNamedType, isCompositeType,
  type ASTVisitor, type DocumentNode, type FragmentDefinitionNode, type GraphQLSchema, type SelectionSetNode, type ValidationContext,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { getComplexity, type ComplexityEstimator } from 'graphql-query-complexity';
import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesPlugin } from '@escape.tech/graphql-armor-max-directives';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import type { Context } from './context.ts';

export const LIMITS = {
  depth: 12,
  tokens: 5_000,
  aliases: 30,
  directives: 50,
  /**
   * Objects a query may ask for, each connection counting `first` (default 20, at most 100) times its
   * nodes. The dashboard's heaviest page (100 findings with test → engagement → product) costs ~400;
   * a cyclic Test.findings → test → findings query at first: 60 costs ~216,000 and ran 4.4 s,
   * stalling /healthz, before this limit.
   */
  cost: 10_000,
  /** the same field selected more often than this in one selection set is refused (field duplication) */
  repeats: 10,
  /** variables nested deeper than this are refused before anything walks them (5,000 nested arrays overflowed the stack: HTTP 500) */
  variableDepth: 64,
} as const;

const DEFAULT_PAGE = 20;
const MAX_PAGE = 100;

/** scalars are free; an object costs 1; a connection costs its page size times its contents */
const objectCount: ComplexityEstimator = ({ field, args, childComplexity }) => {
  if (!isCompositeType(getNamedType(field.type))) return 0;
  if (field.args.some((a) => a.name === 'first')) {
    const page = Math.min(Math.max(Number(args.first ?? args.last ?? DEFAULT_PAGE) || 0, 0), MAX_PAGE);
    return 1 + page * childComplexity;
  }
  if (Array.isArray(args.ids)) return 1 + args.ids.length * childComplexity;
  return 1 + childComplexity;
};

function refusal(message: string, code: string) {
  return { errors: [new GraphQLError(message, { extensions: { code } })] };
}

/**
 * Why PostgreSQL cannot store this text, or null: it refuses U+0000, and an unpaired UTF-16 surrogate
 * (a JSON "\ud800" escape; not Unicode) failed a text[] column as "Unexpected error." and was
 * silently stored as U+FFFD in a text column.
 */
function textProblem(text: string): string | null {
  if (text.includes('\0')) return 'contains a NUL character (\\u0000), which cannot be stored; remove it';
  if (/\p{Surrogate}/u.test(text)) return 'contains an unpaired UTF-16 surrogate (\\ud800-\\udfff), which is not valid Unicode; send well-formed text';
  return null;
}

/** the first text value (or object key) that cannot be stored, as a path like `input.name` and the problem, or null */
function unstorableText(value: unknown, path: string, depth = 0): { path: string; problem: string } | null {
  if (typeof value === 'string') { const problem = textProblem(value); return problem ? { path, problem } : null; }
  if (depth === LIMITS.variableDepth && value && typeof value === 'object') return { path, problem: `nested deeper than ${LIMITS.variableDepth} levels; send a flatter value` };
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) { const p = unstorableText(value[i], `${path}[${i}]`, depth + 1); if (p) return p; }
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const problem = textProblem(k);
      if (problem) return { path: `${path}.${k.replace(/\0/g, '\\0')}`, problem };
      const p = unstorableText(v, `${path}.${k}`, depth + 1);
      if (p) return p;
    }
  }
  return null;
}

/** Literal strings in the document (variables are checked before execution). */
function noUnstorableLiterals(context: ValidationContext): ASTVisitor {
  return {
    StringValue(node, _key, _parent, _path, ancestors) {
      const problem = textProblem(node.value);
      if (!problem) return;
      const arg = [...ancestors].reverse().find((a) => (a as { kind?: string }).kind === Kind.ARGUMENT) as { name: { value: string } } | undefined;
      context.reportError(new GraphQLError(`${arg ? `argument "${arg.name.value}"` : 'a string'}: ${problem}`, { nodes: [node], extensions: { code: 'BAD_USER_INPUT' } }));
    },
  };
}

/** Field duplication and circular introspection (`__Type.fields → type → fields …`). */
function noRepeatsOrIntrospectionCycles(context: ValidationContext): ASTVisitor {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of context.getDocument().definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const cyclic = new Set(['fields', 'inputFields', 'interfaces', 'possibleTypes']);
  const walk = (set: SelectionSetNode, cycleDepth: number, seen: Set<string>) => {
    const counts = new Map<string, number>();
    const visit = (s: SelectionSetNode) => {
      for (const sel of s.selections) {
        if (sel.kind === Kind.INLINE_FRAGMENT) { visit(sel.selectionSet); continue; }
        if (sel.kind === Kind.FRAGMENT_SPREAD) {
          const f = fragments.get(sel.name.value);
          if (f && !seen.has(f.name.value)) { seen.add(f.name.value); visit(f.selectionSet); seen.delete(f.name.value); }
          continue;
        }
        const key = sel.alias?.value ?? sel.name.value;
        const n = (counts.get(key) ?? 0) + 1;
        counts.set(key, n);
        if (n === LIMITS.repeats + 1) context.reportError(new GraphQLError(`"${key}" is selected more than ${LIMITS.repeats} times in one selection: select it once`, { nodes: [sel], extensions: { code: 'QUERY_TOO_COMPLEX' } }));
        if (!sel.selectionSet) continue;
        const depth = cycleDepth + (cyclic.has(sel.name.value) && cycleDepth >= 0 ? 1 : 0);
        if (depth === 2) {
          context.reportError(new GraphQLError('circular introspection: __Type.fields (or interfaces, possibleTypes) nested inside itself is refused', { nodes: [sel], extensions: { code: 'QUERY_TOO_COMPLEX' } }));
          continue;
        }
        // cycle counting starts inside __schema / __type
        walk(sel.selectionSet, cycleDepth >= 0 ? depth : sel.name.value === '__schema' || sel.name.value === '__type' ? 0 : -1, seen);
      }
    };
    visit(set);
  };
  return {
    OperationDefinition(node) { walk(node.selectionSet, -1, new Set()); },
  };
}

/** "Did you mean …?" names fields and types: anonymous callers learn the schema from them */
const withoutSuggestions = (e: Error) => {
  const g = e as GraphQLError;
  return new GraphQLError(e.message.replace(/\s*Did you mean [^?]*\?/g, ''), { nodes: g.nodes, source: g.source, positions: g.positions, path: g.path, extensions: g.extensions });
};

function requestPlugin(schema: () => GraphQLSchema): Plugin<Context> {
  const check = (document: DocumentNode, variables: Record<string, unknown> | undefined | null) => {
    const bad = unstorableText(variables ?? {}, 'variables');
    if (bad) return refusal(`${bad.path.replace(/^variables\./, '$')}: ${bad.problem}`, 'BAD_USER_INPUT');
    let cost: number;
    try {
      cost = getComplexity({ schema: schema(), query: document, variables: variables ?? {}, estimators: [objectCount] });
    } catch {
      return null; // invalid variables: execution reports them with graphql-js's own message
    }
    if (cost > LIMITS.cost) return refusal(`This query asks for up to ${cost} objects; the limit is ${LIMITS.cost}. Ask for smaller pages (first:) or fewer nested connections.`, 'QUERY_TOO_COMPLEX');
    return null;
  };
  return {
    // graphql-js parses nested values recursively: 2,000 nested lists fit in the token limit and
    // overflowed the stack (HTTP 500); such a document is refused like any other over a limit
    onParse({ parseFn, setParseFn }) {
      setParseFn((source, options) => {
        try {
          return parseFn(source, options);
        } catch (e) {
          if (e instanceof RangeError) throw new GraphQLError('This document nests values too deeply to parse; flatten them', { extensions: { code: 'QUERY_TOO_COMPLEX' } });
          throw e;
        }
      });
    },
    onValidate({ context, addValidationRule }) {
      addValidationRule(noUnstorableLiterals);
      addValidationRule(noRepeatsOrIntrospectionCycles);
      const anonymous = !(context as Partial<Context>).viewer;
      if (anonymous) addValidationRule(NoSchemaIntrospectionCustomRule);
      return ({ result, setResult }) => {
        if (anonymous && result.length) setResult(result.map(withoutSuggestions));
      };
    },
    onExecute({ args, setResultAndStopExecution }) {
      const refused = check(args.document, args.variableValues as Record<string, unknown>);
      if (refused) setResultAndStopExecution(refused);
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const refused = check(args.document, args.variableValues as Record<string, unknown>);
      if (refused) setResultAndStopExecution(refused);
    },
  };
}

export function requestLimits(schema: () => GraphQLSchema): Plugin<Context>[] {
  return [
    maxDepthPlugin({ n: LIMITS.depth, ignoreIntrospection: true, flattenFragments: true }),
    maxTokensPlugin({ n: LIMITS.tokens }),
    maxAliasesPlugin({ n: LIMITS.aliases }),
    maxDirectivesPlugin({ n: LIMITS.directives }),
    requestPlugin(schema) as Plugin<Context>,
  ] as Plugin<Context>[];
}
