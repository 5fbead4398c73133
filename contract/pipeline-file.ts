/**
 * A plugins.json file: the package's default pipeline, or a project's `.kittify/plugins.json`
 * whose entries adjust a listed plugin or add one `before`/`after` a listed one.
 */
import { Type, type Static } from '@sinclair/typebox';
import { AnyObject, NonEmptyString } from './schema-parts.js';

export const PIPELINE_ENTRY_KEYS = ['use', 'enabled', 'required', 'options'] as const;
export const PROJECT_PIPELINE_ENTRY_KEYS = [...PIPELINE_ENTRY_KEYS, 'before', 'after'] as const;

const bool = () => Type.Boolean({ 'x-must': 'be true or false' });
const entryProperties = {
  use: NonEmptyString('name a built-in plugin, a package or a path'),
  enabled: Type.Optional(bool()),
  /** A required plugin that cannot load stops the command; others are skipped. */
  required: Type.Optional(bool()),
  options: Type.Optional(AnyObject()),
};

/** An entry of the package's default pipeline. */
export const PipelineEntrySchema = Type.Object(entryProperties, { additionalProperties: false });
export type PipelineFileEntry = Static<typeof PipelineEntrySchema>;

/** An entry of a project's file: may also say where a new plugin goes, before or after a listed one. */
export const ProjectPipelineEntrySchema = Type.Object({
  ...entryProperties,
  before: Type.Optional(NonEmptyString('name a plugin of the pipeline')),
  after: Type.Optional(NonEmptyString('name a plugin of the pipeline')),
}, {
  additionalProperties: false,
  allOf: [{ not: { required: ['before', 'after'] }, 'x-message': 'give "before" or "after", not both' }],
});
export type ProjectPipelineFileEntry = Static<typeof ProjectPipelineEntrySchema>;

/** The package's plugins.json. Other top-level keys (e.g. `$schema`) are ignored. */
export const PipelineFileSchema = Type.Object({ plugins: Type.Array(PipelineEntrySchema) });
export type PipelineFile = Static<typeof PipelineFileSchema>;

/** A project's `.kittify/plugins.json`. */
export const ProjectPipelineFileSchema = Type.Object({ plugins: Type.Array(ProjectPipelineEntrySchema) });
export type ProjectPipelineFile = Static<typeof ProjectPipelineFileSchema>;
