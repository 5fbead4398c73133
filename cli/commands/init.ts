import type { Command } from 'commander';

export function defineInitCommand(program: Command): void {
  program
    .command('init [dir]')
    .description('give a repository its project identity (.kittify/config.yaml) and a kitty-specs/ folder')
    .option('--json', 'print JSON')
    .addHelpText('after', `
Examples:
  $ spec-kitty init                 the current project, or this folder if it is none yet
  $ spec-kitty init ../checkout     another folder (created if missing)
  $ spec-kitty init --json | jq -r .project_uuid

Creates .kittify/config.yaml (project uuid, slug, node id; commit it), kitty-specs/, and
.gitignore entries for local state files. Safe to run again: what exists is left as it is.`)
    .action(async (dir: string | undefined, opts: { json?: boolean }) => (await import('./init/init-project.js')).initProject(dir, opts));
}
