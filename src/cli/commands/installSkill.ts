import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { InFamily } from '../../protocol/commands.js';
import type { InstalledSkill } from '../../protocol/commands/skill.js';
import { VERSION } from '../../protocol/version.js';
import { BdgError } from '../../util/errors.js';
import { writeFileAtomic } from '../../util/fsx.js';
import type { RunnerTable } from '../runner.js';

/** Skill roots, under the home directory (or DIR), of the agents the skill is installed for (as the original bdg). */
const SKILL_ROOTS = { claude: join('.claude', 'skills'), agents: join('.agents', 'skills') } as const;

/** docs/agent-skill.md ships in the npm package beside dist/ (package.json "files"); this file is bundled to dist/bdg-installSkill.js. */
function skillSource(): string {
  return process.env['BDG_SKILL_SOURCE'] ?? fileURLToPath(new URL('../docs/agent-skill.md', import.meta.url));
}

/** The skill text stamped with this version, so an installed copy says which bdg it describes. */
async function skillText(): Promise<string> {
  const path = skillSource();
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new BdgError(
      'NOT_FOUND',
      `The bdg skill file is missing: ${path} (${err instanceof Error ? err.message : String(err)})`,
      'Reinstall bdg; the package ships docs/agent-skill.md.',
    );
  }
  const m = /^---\n[\s\S]*?\n---\n/.exec(text);
  const stamp = `<!-- bdg ${VERSION}; reinstall with \`bdg install-skill\` after upgrading -->\n`;
  return m !== null ? `${m[0]}${stamp}${text.slice(m[0].length)}` : `${stamp}${text}`;
}

async function install(target: InstalledSkill['target'], path: string, content: string, force: boolean): Promise<InstalledSkill> {
  const existing = await readFile(path, 'utf8').catch(() => undefined);
  if (existing === content) return { target, path, status: 'unchanged' };
  if (existing !== undefined && !force)
    throw new BdgError(
      'ALREADY_EXISTS',
      `${path} exists and differs from this version's skill`,
      'Pass --force to replace it (the old one is kept as SKILL.md.bak).',
    );
  await mkdir(dirname(path), { recursive: true });
  let backup: string | undefined;
  if (existing !== undefined) {
    backup = `${path}.bak`;
    await copyFile(path, backup);
  }
  await writeFileAtomic(path, content, 0o644);
  return backup !== undefined ? { target, path, status: 'updated', backup } : { target, path, status: 'installed' };
}

export const SKILL_RUNNERS: RunnerTable<InFamily<'install-skill'>> = {
  'install-skill': async (_paths, params, out) => {
    const base = params.dir !== undefined ? resolve(params.dir) : homedir();
    const picked = (['claude', 'agents'] as const).filter((t) => params[t]);
    const targets = picked.length > 0 ? picked : (['claude', 'agents'] as const);
    const content = await skillText();
    const skills: InstalledSkill[] = [];
    for (const t of targets) skills.push(await install(t, join(base, SKILL_ROOTS[t], 'bdg', 'SKILL.md'), content, params.force));
    return out.success({ skills }, () =>
      skills
        .map(
          (s) =>
            `${s.status === 'unchanged' ? 'Unchanged' : s.status === 'updated' ? 'Updated' : 'Installed'} ${s.path}${s.backup !== undefined ? ` (old copy: ${s.backup})` : ''}`,
        )
        .join('\n'),
    );
  },
};
