// The soak's vendor tools: one loopback fake per connector (SonarQube and DefectDojo in turn, each
// connector lists every project of its tool), whose projects and findings change after each sync
// (a generation), so each scheduled run has real work: a discover that finds a project gone or back,
// and a sync that creates, closes and reactivates findings.
import type pg from 'pg';
import type { FakeFinding, FakeTool } from '../../fakes/fake.ts';
import { startDefectDojoFake } from '../../fakes/defectdojo.ts';
import { startSonarqubeFake } from '../../fakes/sonarqube.ts';

/** projects every generation lists; one more comes and goes */
const PROJECTS = 3;
/** per project: always open */
const STABLE = 30;
/** per project: half of these are open in a generation, the other half the next, so each sync closes 10 and reopens 10 */
const ROTATING = 20;
const SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFO'] as const;

export interface Vendor {
  fake: FakeTool;
  generation: number;
  /** project names, unique across vendors: autoMap names each product after its project */
  projects: Array<{ key: string; name: string }>;
}

export async function startVendors(count: number): Promise<Vendor[]> {
  const vendors: Vendor[] = [];
  for (let c = 0; c < count; c++) {
    const fake = c % 2 ? await startDefectDojoFake() : await startSonarqubeFake();
    const projects = Array.from({ length: PROJECTS + 1 }, (_, p) => ({
      // DefectDojo's product keys are integer ids; Sonar's project keys need a letter
      key: fake.kind === 'defectdojo' ? String(p + 1) : `org.example:c${c}-app-${p}`,
      name: `c${c}-app-${p}`,
    }));
    const vendor = { fake, projects, generation: 0 };
    applyGeneration(vendor, 0);
    vendors.push(vendor);
  }
  return vendors;
}

/**
 * What a tool lists in generation `g`: the last project only in even generations (discover marks
 * it MISSING, then GOOD again), and per project STABLE open findings, half of ROTATING, and one
 * finding added per generation that stays. Applied between a connector's runs, never during them:
 * a project that disappears between the discover that saw it and the sync that reads it fails that
 * sync with a 404 (SonarQube), which is the tool's doing, not the soak's subject.
 */
function applyGeneration(vendor: Vendor, g: number): void {
  const { fake, projects } = vendor;
  vendor.generation = g;
  // the fakes log every request for tests to inspect; nothing here does, so the log is not kept
  fake.requests.length = 0;
  fake.setProjects(g % 2 === 0 ? projects : projects.slice(0, PROJECTS));
  for (const p of projects) fake.setFindings(p.key, findingsOf(p.name, g));
}

function findingsOf(project: string, g: number): FakeFinding[] {
  const finding = (id: string, i: number): FakeFinding => ({
    id: `${project}-${id}`, title: `Rule ${id} in ${project}`, severity: SEVERITIES[i % SEVERITIES.length]!,
    filePath: `src/${id}.ts`, line: 10 + i, cwe: 79 + (i % 5),
  });
  return [
    ...Array.from({ length: STABLE }, (_, i) => finding(`s${i}`, i)),
    ...Array.from({ length: ROTATING }, (_, i) => i).filter((i) => (i + g) % 2 === 0).map((i) => finding(`r${i}`, i)),
    ...Array.from({ length: g + 1 }, (_, i) => finding(`n${i}`, i)),
  ];
}

/**
 * Moves each tool to its next generation once its connector's latest sync has finished and nothing
 * of the connector is waiting or running: generation n is what the n+1st sync sees. Only before :50
 * of a minute, checked again once the database has answered: the tick at :00 starts a discover at
 * once, and a change that landed just after it (the bench's event loop busy with subscribers for a
 * few hundred ms) failed 2 syncs of 1,100 with a 404 in one run.
 */
export function startGenerations(db: pg.Client, vendorOf: Map<number, Vendor>, everyMs = 1_000) {
  const beforeTick = () => new Date().getUTCSeconds() < 50;
  const step = async () => {
    if (!beforeTick()) return;
    const { rows } = await db.query<{ id: number; syncs: number; busy: boolean }>(`
      SELECT c.id, count(o.id) FILTER (WHERE o.type = 'SYNC' AND o.status IN ('SUCCEEDED', 'FAILED'))::int syncs,
             coalesce(bool_or(o.status IN ('PENDING', 'RUNNING')), false) busy
        FROM "Connector" c LEFT JOIN "Operation" o ON o."connectorId" = c.id GROUP BY c.id`);
    if (!beforeTick()) return;
    for (const r of rows) {
      const vendor = vendorOf.get(r.id);
      if (vendor && !r.busy && vendor.generation !== r.syncs) applyGeneration(vendor, r.syncs);
    }
  };
  let running = Promise.resolve();
  const timer = setInterval(() => { running = running.then(step).catch(() => {}); }, everyMs);
  return { stop: async () => { clearInterval(timer); await running; } };
}

export async function closeVendors(vendors: Vendor[]): Promise<void> {
  await Promise.all(vendors.map((v) => v.fake.close()));
}
