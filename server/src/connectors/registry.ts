// Every connector kind Tributary speaks. Adding a tool: one file here, one fake in test/fakes/,
// one line below and one in test/fakes/index.ts; the conformance tests then cover it.
import type { ConnectorKind } from './kind.ts';
import { guardedKind } from './kind-boundary.ts';
import { sarifDirectoryKind } from './sarif-directory.ts';
import { sonarqubeKind } from './sonarqube.ts';
import { dependencyTrackKind } from './dependency-track.ts';
import { githubKind } from './github.ts';
import { gitlabKind } from './gitlab.ts';
import { snykKind } from './snyk.ts';
import { defectdojoKind } from './defectdojo.ts';
import { harborKind } from './harbor.ts';
import { semgrepKind } from './semgrep.ts';
import { burpEnterpriseKind } from './burp-enterprise.ts';
import { checkmarxOneKind } from './checkmarx-one.ts';
import { wizKind } from './wiz.ts';
import { awsSecurityHubKind } from './aws-securityhub.ts';

export const connectorKinds: readonly ConnectorKind[] = [
  sarifDirectoryKind,
  sonarqubeKind,
  dependencyTrackKind,
  githubKind,
  gitlabKind,
  snykKind,
  defectdojoKind,
  harborKind,
  semgrepKind,
  burpEnterpriseKind,
  checkmarxOneKind,
  wizKind,
  awsSecurityHubKind,
].map(guardedKind);

const byId = new Map(connectorKinds.map((k) => [k.id, k]));

export function findKind(id: string): ConnectorKind | undefined {
  return byId.get(id);
}
