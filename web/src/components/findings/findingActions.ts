// The status changes an analyst makes on a finding (DefectDojo's: verify, false positive, risk
// accept, close, reopen), each as the updateFinding input it sends, when it applies to a finding's
// current flags, and which permission it needs. The finding page and the bulk bar both read this.
import type { VariablesOf } from '../../graphql/tada';
import type { UpdateFindingMutation } from '../../graphql/findings';
import type { ProductPermission } from '../product/productPermissions';

export type FindingPatch = Omit<VariablesOf<typeof UpdateFindingMutation>['input'], 'id'>;

export interface StatusFlags {
  active?: boolean | null;
  verified?: boolean | null;
  falsePositive?: boolean | null;
  riskAccepted?: boolean | null;
  outOfScope?: boolean | null;
  isMitigated?: boolean | null;
  duplicate?: boolean | null;
}

export type FindingActionKey = 'verify' | 'falsePositive' | 'riskAccept' | 'close' | 'reopen';

export interface FindingAction {
  key: FindingActionKey;
  /** the button: "Mark false positive" */
  label: string;
  /** what a bulk summary says was done: "marked false positive" */
  done: string;
  permission: ProductPermission;
  /** whether it changes anything on a finding with these flags */
  appliesTo: (flags: StatusFlags) => boolean;
  /** the updateFinding fields it sends for a finding with these flags */
  patch: (flags: StatusFlags) => FindingPatch;
}

/** the flags that make a finding inactive and that a person may clear (a duplicate is the tool's word) */
const CLOSING_FLAGS = ['falsePositive', 'riskAccepted', 'outOfScope', 'isMitigated'] as const;

export const FINDING_ACTIONS: readonly FindingAction[] = [
  { key: 'verify', label: 'Verify', done: 'verified', permission: 'finding.edit', appliesTo: (f) => !f.verified, patch: () => ({ verified: true }) },
  { key: 'falsePositive', label: 'Mark false positive', done: 'marked false positive', permission: 'finding.edit', appliesTo: (f) => !f.falsePositive, patch: () => ({ falsePositive: true }) },
  { key: 'riskAccept', label: 'Accept risk', done: 'risk accepted', permission: 'finding.riskAccept', appliesTo: (f) => !f.riskAccepted, patch: () => ({ riskAccepted: true }) },
  { key: 'close', label: 'Close (mitigated)', done: 'closed', permission: 'finding.edit', appliesTo: (f) => !f.isMitigated, patch: () => ({ isMitigated: true }) },
  {
    key: 'reopen', label: 'Reopen', done: 'reopened',
    // clearing riskAccepted is a risk-acceptance change on the server too (permission finding.riskAccept)
    permission: 'finding.edit',
    appliesTo: (f) => CLOSING_FLAGS.some((flag) => f[flag] === true),
    // only the flags that are set: sending riskAccepted: false to a finding that never had it would
    // ask for more permission than the change needs
    patch: (f) => Object.fromEntries(CLOSING_FLAGS.filter((flag) => f[flag] === true).map((flag) => [flag, false])) as FindingPatch,
  },
];

export function findingAction(key: FindingActionKey): FindingAction {
  return FINDING_ACTIONS.find((action) => action.key === key)!;
}

function permitted(action: FindingAction, flags: StatusFlags, permissions: ReadonlySet<ProductPermission>): boolean {
  if (!permissions.has(action.permission)) return false;
  // reopening a risk-accepted finding clears riskAccepted, which the server gates separately
  return !(action.key === 'reopen' && flags.riskAccepted && !permissions.has('finding.riskAccept'));
}

/** the actions the finding page offers: those the viewer may take that would change something */
export function allowedFindingActions(flags: StatusFlags, permissions: ReadonlySet<ProductPermission>): FindingAction[] {
  return FINDING_ACTIONS.filter((action) => action.appliesTo(flags) && permitted(action, flags, permissions));
}

/** the status words a finding's flags add up to, most telling first: "Active", "Verified", "False positive" … */
export function statusLabels(flags: StatusFlags & { underReview?: boolean | null; dismissedInTool?: boolean | null }): string[] {
  const labels: string[] = [flags.active ? 'Active' : 'Inactive'];
  if (flags.verified) labels.push('Verified');
  if (flags.falsePositive) labels.push('False positive');
  if (flags.riskAccepted) labels.push('Risk accepted');
  if (flags.outOfScope) labels.push('Out of scope');
  if (flags.isMitigated) labels.push('Mitigated');
  if (flags.duplicate) labels.push('Duplicate');
  if (flags.dismissedInTool) labels.push('Dismissed in tool');
  if (flags.underReview) labels.push('Under review');
  return labels;
}
