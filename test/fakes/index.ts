// One fake per connector kind, keyed by kind id (see fake.ts for what each offers).
import type { FakeTool } from './fake.ts';
import { startSarifDirectoryFake } from './sarif-directory.ts';
import { startSonarqubeFake } from './sonarqube.ts';
import { startDependencyTrackFake } from './dependency-track.ts';
import { startGithubFake } from './github.ts';
import { startGitlabFake } from './gitlab.ts';
import { startSnykFake } from './snyk.ts';

export const fakes: Record<string, () => Promise<FakeTool>> = {
  'sarif-directory': startSarifDirectoryFake,
  sonarqube: startSonarqubeFake,
  'dependency-track': startDependencyTrackFake,
  github: startGithubFake,
  gitlab: startGitlabFake,
  snyk: startSnykFake,
};
