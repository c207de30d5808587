import type { CommandSpec } from '../spec.js';

/** `install-skill`: the agent skill shipped with this version, written where agents look for skills. */
export const SKILL_COMMANDS = [
  {
    name: 'install-skill',
    path: ['install-skill'],
    summary: 'Install the bdg agent skill for Claude Code (~/.claude/skills/bdg/SKILL.md) and agents reading ~/.agents/skills (Codex, Gemini CLI, ...)',
    args: [{ name: 'dir', required: false, description: 'Install under DIR instead of the home directory (e.g. a project: DIR/.claude/skills/bdg/SKILL.md)' }],
    options: {
      claude: { type: 'boolean', default: false, description: 'Only .claude/skills (Claude Code)' },
      agents: { type: 'boolean', default: false, description: 'Only .agents/skills (Codex, Gemini CLI and other agents)' },
      force: { type: 'boolean', default: false, description: 'Replace an existing skill file that differs (kept as SKILL.md.bak)' },
    },
    readOnly: false,
    runs: 'cli',
    machine: true,
    idempotent: true,
    examples: ['bdg install-skill', 'bdg install-skill --claude .', 'bdg install-skill --agents --force'],
  },
] as const satisfies readonly CommandSpec[];

export interface InstalledSkill {
  target: 'claude' | 'agents';
  path: string;
  status: 'installed' | 'updated' | 'unchanged';
  backup?: string;
}
