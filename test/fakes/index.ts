// One fake per connector kind, keyed by kind id (see fake.ts for what each offers).
import type { FakeTool } from './fake.ts';
import { startSarifDirectoryFake } from './sarif-directory.ts';
import { startSonarqubeFake } from './sonarqube.ts';
import { startDependencyTrackFake } from './dependency-track.ts';
import { startGithubFake } from './github.ts';
import { startGitlabFake } from './gitlab.ts';
import { startSnykFake } from './snyk.ts';
import { startDefectDojoFake } from './defectdojo.ts';
import { startHarborFake } from './harbor.ts';
import { startSemgrepFake } from './semgrep.ts';
import { startBurpEnterpriseFake } from './burp-enterprise.ts';
import { startCheckmarxOneFake } from './checkmarx-one.ts';
import { startWizFake } from './wiz.ts';
import { startAwsSecurityHubFake } from './aws-securityhub.ts';

export const fakes: Record<string, () => Promise<FakeTool>> = {
  'sarif-directory': startSarifDirectoryFake,
  sonarqube: startSonarqubeFake,
  'dependency-track': startDependencyTrackFake,
  github: startGithubFake,
  gitlab: startGitlabFake,
  snyk: startSnykFake,
  defectdojo: startDefectDojoFake,
  harbor: startHarborFake,
  semgrep: startSemgrepFake,
  'burp-enterprise': startBurpEnterpriseFake,
  'checkmarx-one': startCheckmarxOneFake,
  wiz: startWizFake,
  'aws-securityhub': startAwsSecurityHubFake,
};
