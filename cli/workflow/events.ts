import type { EventDraft, Lane } from '../../contract/index.js';

/** The drafts the workflow emits, in one place so their payloads stay consistent. */

export function wpStatusChanged(p: { wp_id: string; previous_status: Lane; new_status: Lane; changed_by: string; feature_slug: string }): EventDraft {
  // Exactly the DESIGN §4 payload keys; nothing else rides along.
  const { wp_id, previous_status, new_status, changed_by, feature_slug } = p;
  return {
    event_type: 'WPStatusChanged', aggregate_type: 'WorkPackage', aggregate_id: wp_id,
    payload: { wp_id, previous_status, new_status, changed_by, feature_slug },
  };
}

export function wpCreated(p: { wp_id: string; title: string; feature_slug: string; dependencies: string[] }): EventDraft {
  return {
    event_type: 'WPCreated', aggregate_type: 'WorkPackage', aggregate_id: p.wp_id,
    payload: { wp_id: p.wp_id, title: p.title, feature_slug: p.feature_slug, lane: 'planned', dependencies: p.dependencies },
  };
}

export function featureCreated(p: { feature_slug: string; feature_number: string; name: string }): EventDraft {
  return {
    event_type: 'FeatureCreated', aggregate_type: 'Feature', aggregate_id: p.feature_slug,
    payload: { feature_slug: p.feature_slug, feature_number: p.feature_number, name: p.name },
  };
}

export function featureCompleted(p: { feature_slug: string; feature_number: string; name: string; wp_count: number }): EventDraft {
  return {
    event_type: 'FeatureCompleted', aggregate_type: 'Feature', aggregate_id: p.feature_slug,
    payload: { feature_slug: p.feature_slug, feature_number: p.feature_number, name: p.name, wp_count: p.wp_count },
  };
}
